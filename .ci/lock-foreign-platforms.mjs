// Adds lock entries for other platforms' optional packages that npm could not record because the
// registry these machines reach does not serve them (e.g. @biomejs/cli-darwin-arm64). Without them
// `npm ci` refuses the lock ("Missing: ... from lock file") even though it would skip them here.
// Each entry copies a recorded sibling (same parent) and takes os/cpu/libc from the package name.
// Run after any change to dependencies: node .ci/lock-foreign-platforms.mjs
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const packages = lock.packages;

const OS = { darwin: "darwin", linux: "linux", win32: "win32", android: "android", freebsd: "freebsd" };
const CPU = { arm64: "arm64", x64: "x64", amd64: "x64", ia32: "ia32", arm: "arm" };

function platformOf(name) {
  const words = name.split("/").pop().split("-");
  const os = words.find((w) => OS[w]);
  const cpu = words.find((w) => CPU[w]);
  if (!os || !cpu) return undefined;
  return {
    os: [OS[os]],
    cpu: [CPU[cpu]],
    libc: words.includes("musl") ? ["musl"] : os === "linux" ? ["glibc"] : undefined,
  };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    const platform = platformOf(dep);
    const sibling = Object.keys(entry.optionalDependencies)
      .map((d) => packages[`node_modules/${d}`])
      .find((e) => e?.os);
    if (!platform || !sibling) continue;
    const { integrity: _i, resolved: _r, libc: _l, ...shape } = sibling;
    packages[key] = { ...shape, version, ...platform, optional: true };
    if (!platform.libc) delete packages[key].libc;
    added++;
    console.log(`added ${key}@${version} (${platform.os}/${platform.cpu}) for ${path || "root"}`);
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${added} entries added`);
