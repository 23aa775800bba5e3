"""Release methods: what frees a resource (ASL401, ASL403 and the source index)."""

from __future__ import annotations

#: Method names that release what an object holds.
RELEASE_METHODS = ("close", "aclose", "dispose", "shutdown", "disconnect", "terminate")

#: Client classes of other libraries, with their release methods (for project
#: classes that subclass them).
EXTERNAL_RELEASE: dict[str, tuple[str, ...]] = {
    "httpx.AsyncClient": ("aclose",),
    "httpx.Client": ("close",),
    "requests.Session": ("close",),
    "aiohttp.ClientSession": ("close",),
    "socket.socket": ("close",),
}

#: Methods that release what an object holds and may raise doing it (not ``cancel()``, which never raises).
RELEASES_THAT_MAY_RAISE = frozenset({
    "close", "aclose", "dispose", "shutdown", "disconnect", "terminate", "cleanup", "stop",
    "kill", "wait_closed", "unlink", "rmdir", "drop_all", "stop_server", "release",
})
#: Functions that release the path or object given as their first argument.
RELEASE_FUNCTIONS = frozenset({"shutil.rmtree", "os.remove", "os.unlink", "os.rmdir", "os.close"})
#: Calls that finish a release begun by another (``proc.terminate()`` then ``proc.wait()``).
COMPANION_METHODS = frozenset({"wait", "join", "communicate"})
