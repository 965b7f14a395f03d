export { postmark } from "./routes.js";
