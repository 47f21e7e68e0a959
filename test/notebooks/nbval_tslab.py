"""pytest plugin that makes nbval 0.11 usable with the tslab kernel (1.0.22).

Loaded for every pytest run in this repo by the root conftest.py
(``pytest_plugins = ["nbval_tslab"]``; pytest.ini puts test/notebooks on sys.path).

tslab differs from ipykernel in ways nbval depends on (all verified against a real kernel):

1. tslab's kernel_info_reply has no "status" field. nbval's RunningKernel.await_reply
   reads msg["content"]["status"] while starting the kernel -> KeyError, and every cell
   of every notebook is reported as an ERROR.
2. A failing cell (type error, throw, rejected await, interrupt) sends no iopub "error"
   message: tslab prints the error as a *stderr stream* and answers execute_reply with
   status "error". nbval only looks for iopub errors, so a failing cell tagged
   nbval-ignore-output (or any unchecked cell under --nbval-lax) passes silently.
3. After a failed cell tslab answers every execute_request that arrives within the next
   200 ms with status "abort" (not the protocol's "aborted") and does not run it.
   nbval sends the next cell at once, so the cells after an error do not run at all;
   with nbval-ignore-output they also pass silently.

Fixes: (1) tolerate the missing status and remember the reply; (2)+(3) fail a cell whose
reply status is "error" (unless tagged raises-exception / # NBVAL_RAISES_EXCEPTION) or
"abort"/"aborted"; after any error wait until tslab accepts requests again, so later
cells run and are judged on their own.
"""
import time

from nbval import kernel as _nbval_kernel
from nbval import plugin as _nbval_plugin

# tslab resets its execution queue 200 ms after a failed cell (TaskQueue.reset(200)).
TSLAB_ERROR_RESET_SECONDS = 0.35


def _await_reply(self, msg_id, timeout=None):
    """nbval's RunningKernel.await_reply, minus the KeyError; stores the reply content."""
    while True:
        msg = self.get_message(stream="shell", timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            self.last_reply = msg["content"]
            return


def _stderr_text(outputs):
    return "".join(
        o.get("text", "")
        for o in outputs or []
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    )


_original_runtest = _nbval_plugin.IPyNbCell.runtest


def _runtest(self):
    kernel = self.parent.kernel
    kernel.last_reply = None
    failure = None
    try:
        _original_runtest(self)
    except BaseException as exc:  # also pytest's skip/xfail outcomes: re-raised below
        failure = exc
    reply = getattr(kernel, "last_reply", None)
    status = (reply or {}).get("status")
    if reply is None and self.parent.timed_out:
        # nbval interrupted a cell that timed out; tslab's late reply is "error".
        time.sleep(TSLAB_ERROR_RESET_SECONDS)
    if status in ("abort", "aborted"):
        self.raise_cell_error(
            "tslab did not run this cell (execute_reply status %r): a previous cell "
            "failed less than 200 ms before it was sent" % status
        )
    if status == "error":
        # Let tslab reset its queue so that the next cell really runs (as with ipykernel,
        # nbval goes on after a failed cell) instead of being answered "abort".
        time.sleep(TSLAB_ERROR_RESET_SECONDS)
        if not self.options["check_exception"]:
            self.raise_cell_error(
                "Cell execution failed (tslab execute_reply status 'error')",
                "\n" + (_stderr_text(self.test_outputs) or "(no stderr output)"),
            )
    if failure is not None:
        raise failure


def pytest_configure(config):
    _nbval_kernel.RunningKernel.await_reply = _await_reply
    _nbval_plugin.IPyNbCell.runtest = _runtest
