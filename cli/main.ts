/** Entry point of the `kalypso` command. */
import "../node/polyfill.js";

import { KalypsoError } from "../protocol/index.js";
import { buildProgram } from "./program.js";

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  // A coded error is the user's to fix: print what and how, not a stack trace.
  if (err instanceof KalypsoError) {
    console.error(`error ${err.code}: ${err.message}`);
    process.exit(2);
  }
  throw err;
}
