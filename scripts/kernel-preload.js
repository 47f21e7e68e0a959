// Loaded by the project's tslab kernelspec (scripts/jupyter-env.sh) with `node --require` before
// tslab itself. A kernel inherits the Jupyter server's stdout and stderr; when whatever read them
// is gone (`npm start 2>&1 | tee log`, and tee ended), a write to them fails with EPIPE. Without a
// listener that error is an uncaught exception, and tslab's own uncaughtException handler writes
// it to stderr again: an endless loop, a busy kernel that never goes idle. Here EPIPE on these two
// streams is ignored (nobody is left to read the text); any other error on them is thrown as before.
"use strict";

for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
  });
}
