import { render } from "preact";
import { App } from "./app.js";
import { AuthGate } from "./login.js";
import "./styles.css";

render(
  <AuthGate>
    <App />
  </AuthGate>,
  document.getElementById("app")!,
);
