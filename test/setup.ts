// Loaded by mocha before any test file (.mocharc.json "require").
import "../node/polyfill.js";
import { setMaxListeners } from "node:events";

// As in cli/main.ts: libp2p's peer store queues one abort listener per concurrent write on a node's
// shutdown signal; dozens are normal in multi-node tests, and the warning at 11 is noise.
setMaxListeners(200);
