/** Entry point of the `kalypso` command. */
import "../node/polyfill.js";
import { setMaxListeners } from "node:events";

import { KalypsoError } from "../protocol/index.js";
import { buildProgram } from "./program.js";

// libp2p's peer store queues one abort listener per concurrent write on a node's shutdown signal;
// during discovery dozens are normal, and Node's default warning at 11 is noise, not a leak.
setMaxListeners(200);

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
