/** Entry point of the `kalypso` command. */
import "../polyfill.js";
import { buildProgram } from "./program.js";

await buildProgram().parseAsync(process.argv);
