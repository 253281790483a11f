/** Structured logs (pino). Components take a Logger; context goes in the object, not the message. */
import { type Logger as PinoLogger, pino } from "pino";

export type Logger = PinoLogger;

export interface LoggerInit {
  /** pino level; "silent" in tests. Default: LOG_LEVEL or "info". */
  level?: string;
  /** Name of the node or component, on every line. */
  name?: string;
}

export function createLogger(init: LoggerInit = {}): Logger {
  return pino({
    level: init.level ?? process.env.LOG_LEVEL ?? "info",
    name: init.name,
    // Keys are never logged; redact in case one is ever put in a log object by mistake.
    redact: { paths: ["privateKey", "*.privateKey", "secret", "*.secret"], censor: "[redacted]" },
  });
}

/** A logger that writes nothing. */
export const silentLogger: Logger = pino({ level: "silent" });
