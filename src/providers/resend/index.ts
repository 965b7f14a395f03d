export { resend } from "./routes.js";
