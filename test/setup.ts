// Loaded by mocha before any test file (.mocharc.json "require").
import "../node/polyfill.js";
