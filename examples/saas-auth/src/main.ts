import pino from "pino";
import { loadConfig } from "./config.js";
import { startApp } from "./server.js";

const logger = pino({ name: "saas-auth" });
try {
  const app = await startApp(loadConfig(), { logger });
  console.log(`saas-auth listening on ${app.url}`);
  const shutdown = () => {
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
} catch (err) {
  logger.fatal({ err }, "saas-auth could not start");
  process.exit(1);
}
