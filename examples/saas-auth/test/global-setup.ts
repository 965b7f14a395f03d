import { globalSetup } from "mailproof/testing";
import { sandboxOptions } from "./support.js";

// Starts one sandbox (with the DNS zone and SPF IP the deliverability tests expect) and exports
// SMTP_HOST, SMTP_PORT and MAILPROOF_URL to every test worker.
export default globalSetup(sandboxOptions);
