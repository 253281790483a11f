/** Order books and the deterministic matching rule (DESIGN §3.4). */
export * from "./engine.js";
export * from "./order-book.js";
export * from "./sorted-list.js";
export * from "./state-digest.js";
export * from "./types.js";
