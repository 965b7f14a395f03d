export { sendgrid } from "./routes.js";
