"""cfn-lint as a server for one test run (started and stopped by scripts/test.js).

The cfn-lint command spends ~3 s importing itself and loading its rule set before it looks at a
template, and the test files of one run call it many times. This process pays that once: it loads
the rules, then listens on a Unix socket (path in argv[1], created only once the rules are loaded)
and answers one request per connection:

    request:  one JSON line  {"files": ["a.template.json", ...]}
    response: one JSON line  {"report": [...]}   the list `cfn-lint --format json -- FILES` prints
              or             {"error": "..."}    when cfn-lint could not run (config/usage error)

The same configuration as the command (ConfigMixIn over the same arguments, so .cfnlintrc in the
working directory applies) and the same JSON formatter, so a client reads both the same way. Exits
when its parent (the test runner) goes away, or on SIGTERM.
"""

import json
import os
import signal
import socketserver
import sys
import threading
import time

from cfnlint.config import ConfigMixIn
from cfnlint.formatters import JsonFormatter
from cfnlint.runner.cli import Runner
from cfnlint.runner.template.runner import run_template_by_file_paths


def main() -> None:
    socket_path = sys.argv[1]
    parent = os.getppid()
    # Rules are loaded once here; the provider schemas cfn-lint reads per resource type stay cached
    # in this process from one request to the next.
    rules = Runner(ConfigMixIn([])).rules
    formatter = JsonFormatter()

    def lint(files: list) -> str:
        config = ConfigMixIn(["--format", "json", "--", *files])
        matches = list(run_template_by_file_paths(config, rules))
        # The command's order (Runner._cli_output), so that a report does not depend on the transport.
        matches.sort(key=lambda m: (m.filename, m.linenumber, m.rule.id))
        return formatter.print_matches(matches, rules, config=config) or "[]"

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            try:
                request = json.loads(self.rfile.readline())
                files = request["files"]
                if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
                    raise ValueError("'files' must be a list of paths")
                reply = {"report": json.loads(lint(files))}
            except Exception as e:  # one bad request must not stop the server for the others
                reply = {"error": f"{type(e).__name__}: {e}"}
            self.wfile.write(json.dumps(reply).encode("utf-8") + b"\n")

    # Bound and listening under another name, then renamed into place: a client that sees the
    # socket appear (it watches the directory) must never find it not yet listening.
    pending = f"{socket_path}.{os.getpid()}"
    for path in (socket_path, pending):
        if os.path.exists(path):
            os.unlink(path)
    server = socketserver.UnixStreamServer(pending, Handler)
    os.rename(pending, socket_path)

    def stop(*_args) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)

    def watch_parent() -> None:
        # A runner killed with SIGKILL cannot stop us: notice that we were re-parented.
        while os.getppid() == parent:
            time.sleep(1)
        stop()

    threading.Thread(target=watch_parent, daemon=True).start()
    print("ready", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        try:
            os.unlink(socket_path)
        except OSError:
            pass


if __name__ == "__main__":
    main()
