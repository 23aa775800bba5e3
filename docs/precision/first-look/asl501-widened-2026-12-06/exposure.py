"""Count where the widened ASL501 paths were consulted (local defs, text builtins) and what they answered."""
import sys, collections
from pathlib import Path
import libcst as cst
from asynclint.run.runner import LintRun, Options
import asynclint.analysis.coroutines as co
import asynclint.rules.asl5xx_async.asl501_coroutine_not_awaited as r
counts = collections.Counter()
orig_local = co.CoroutineOracle._local_def_result
def local(self, scope, type_, name):
    res = orig_local(self, scope, type_, name)
    node = self._defs.get(int(type_[len(co.LOCAL_DEF):]))
    kind = "nested-elsewhere" if node is None or id(node) not in self._scope_defs(scope) else ("async" if node.asynchronous else "sync")
    counts[("local-def", kind, res[1] if res else None)] += 1
    return res
co.CoroutineOracle._local_def_result = local
orig_text = r.CoroutineNotAwaited._made_text
def text(self, node, parent, pt):
    res = orig_text(self, node, parent, pt)
    if res:
        counts[("made-text", "fstring" if pt is cst.FormattedStringExpression else "builtin")] += 1
    return res
r.CoroutineNotAwaited._made_text = text
for suite in sys.argv[1:]:
    LintRun(Options(select=["ASL501"])).run([Path(suite)])
for k, v in sorted(counts.items(), key=str):
    print(v, k)
