# T2L code sandbox, the candidate side (see docs/SANDBOX.md). UNTRUSTED code runs in this process.
#
# Started by judge.py inside the containment (bubblewrap namespaces, or the weak fallback), with
#   fd 0      requests from the judge (length-prefixed JSON frames)
#   fd RESP   replies to the judge (the fd number is argv[1])
#   fd 1, 2   a pipe the judge drains into the item's output (capped)
# It limits itself (rlimits, parent-death signal, seccomp) before it reads the solution, then only answers
# calls: arguments and results cross as plain data (tagged JSON of None, bool, int, float, complex, str,
# bytes, list, tuple, dict, set, frozenset); anything else stays here and the judge gets an opaque handle.
# Nothing this process writes decides the verdict: the judge evaluates the asserts on the values it decoded.
import ast
import json
import os
import resource
import signal
import struct
import sys

MAX_FRAME = 32 << 20


def limit(job):
    mem = job["memory_bytes"]
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    cpu = job["cpu_seconds"]
    # the soft limit lands here (exit 124 = "time limit"); the hard limit one second later is a SIGKILL
    signal.signal(signal.SIGXCPU, lambda *a: os._exit(124))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    fsize = job["file_bytes"]
    resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # counted per host uid: bounded per run when the launcher gave this run its own uid (root); seccomp
    # below forbids fork and exec anyway, so this bounds threads
    nproc = job["max_processes"]
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


# x86_64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl) refused with EPERM: process creation
# and program execution, tracing and reading other processes, sockets, mounts and namespaces, kernel
# modules and keys, and the rest of Docker's default-profile denials that matter to an unprivileged process.
DENIED_X86_64 = {
    "socket": 41, "socketpair": 53, "fork": 57, "vfork": 58, "execve": 59, "ptrace": 101, "syslog": 103,
    "personality": 135, "pivot_root": 155, "chroot": 161, "acct": 163, "mount": 165, "umount2": 166,
    "swapon": 167, "swapoff": 168, "reboot": 169, "iopl": 172, "ioperm": 173, "init_module": 175,
    "delete_module": 176, "quotactl": 179, "add_key": 248, "request_key": 249, "keyctl": 250,
    "kexec_load": 246, "unshare": 272, "move_pages": 279, "perf_event_open": 298, "fanotify_init": 300,
    "name_to_handle_at": 303, "open_by_handle_at": 304, "setns": 308, "process_vm_readv": 310,
    "process_vm_writev": 311, "kcmp": 312, "finit_module": 313, "kexec_file_load": 320, "bpf": 321,
    "execveat": 322, "userfaultfd": 323, "io_uring_setup": 425, "io_uring_enter": 426,
    "io_uring_register": 427, "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431,
    "fsmount": 432, "fspick": 433, "pidfd_open": 434, "pidfd_getfd": 438, "process_madvise": 440,
    "mount_setattr": 442,
}
CLONE_X86_64 = 56
CLONE3_X86_64 = 435
AUDIT_ARCH_X86_64 = 0xC000003E
CLONE_THREAD = 0x00010000


def seccomp_program():
    # classic BPF over struct seccomp_data {u32 nr; u32 arch; u64 ip; u64 args[6]} (linux/seccomp.h)
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, kill = 0x7FFF0000, 0x80000000
    eperm, enosys = 0x00050000 | 1, 0x00050000 | 38

    def op(code, k, jt=0, jf=0):
        return struct.pack("HBBI", code, jt, jf, k)

    prog = [op(ld, 4), op(jeq, AUDIT_ARCH_X86_64, 1, 0), op(ret, kill), op(ld, 0),
            # the x32 ABI (nr | 0x40000000) would reach the same kernel code under other numbers
            op(jge, 0x40000000, 0, 1), op(ret, eperm)]
    for nr in sorted(DENIED_X86_64.values()):
        prog += [op(jeq, nr, 0, 1), op(ret, eperm)]
    # clone3 hides its flags in memory BPF cannot read: ENOSYS makes glibc fall back to clone (as Docker does)
    prog += [op(jeq, CLONE3_X86_64, 0, 1), op(ret, enosys)]
    # clone is allowed for threads only (CLONE_THREAD in the first argument): no new processes
    prog += [op(jeq, CLONE_X86_64, 0, 3), op(ld, 16), op(jset, CLONE_THREAD, 1, 0), op(ret, eperm)]
    prog += [op(ret, allow)]
    return b"".join(prog)


def install_seccomp():
    """Returns None when the filter is in force, else why not (the launcher decides whether that is fatal)."""
    import platform
    if platform.machine() != "x86_64":
        return "no filter for the " + platform.machine() + " architecture"
    import ctypes

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    code = seccomp_program()
    buf = ctypes.create_string_buffer(code, len(code))
    prog = SockFprog(len(code) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return "prctl(PR_SET_NO_NEW_PRIVS) failed: errno " + str(ctypes.get_errno())
    if libc.prctl(22, 2, ctypes.addressof(prog), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        return "prctl(PR_SET_SECCOMP) failed: errno " + str(ctypes.get_errno())
    return None


def die_with_parent():
    # without bubblewrap nothing else kills this process when the judge dies
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def guard():
    # after human-eval's reliability_guard: keeps honest but careless code from damaging its own run.
    # Not the security boundary (seccomp, namespaces and the uid are); it changes no verdict.
    import builtins
    import shutil
    import subprocess

    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "killpg", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid",
                 "fork", "forkpty", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown",
                 "chmod", "chown", "chroot", "lchflags", "lchmod", "lchown", "chdir", "popen", "execv", "execve",
                 "execvp", "execvpe", "execl", "execle", "execlp", "execlpe", "spawnv", "spawnve", "spawnvp",
                 "spawnvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe", "posix_spawn", "posix_spawnp",
                 "setsid", "setpgid"):
        if hasattr(os, name):
            setattr(os, name, None)
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for mod in ("ipdb", "joblib", "resource", "psutil", "tkinter", "multiprocessing", "_posixsubprocess"):
        sys.modules[mod] = None


def longest_parsable_prefix(src):
    # evalplus keeps the longest syntactically valid code; a model often trails off mid-statement
    lines = src.split("\n")
    for end in range(len(lines), 0, -1):
        chunk = "\n".join(lines[:end])
        try:
            return chunk, ast.parse(chunk)
        except (SyntaxError, ValueError):
            continue
    return "", ast.parse("")


def sanitize(src, roots):
    # evalplus-style: keep imports, and the functions, classes and simple assignments reachable from the
    # names the tests use (evalplus: from the entry point); drop top-level calls, prints, asserts, main guards
    src = src.replace("\r\n", "\n")
    src, tree = longest_parsable_prefix(src)
    lines = src.split("\n")
    roots = set(roots)
    defs = {}
    kept = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            kept.append(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs.setdefault(node.name, []).append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        defs.setdefault(n.id, []).append(node)
    reach = set()
    todo = [r for r in roots if r in defs]
    while todo:
        name = todo.pop()
        if name in reach:
            continue
        reach.add(name)
        for node in defs[name]:
            for n in ast.walk(node):
                if isinstance(n, ast.Name) and n.id in defs and n.id not in reach:
                    todo.append(n.id)
    for name in reach:
        kept.extend(defs[name])
    seen = set()
    out = []
    for node in sorted(kept, key=lambda n: n.lineno):
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        span = (start, node.end_lineno)
        if span not in seen:
            seen.add(span)
            out.append("\n".join(lines[start - 1:node.end_lineno]))
    return "\n".join(out) + "\n"


# ---- the solution's namespace and the objects that stay here ----

class Channel:
    def __init__(self, rfd, wfd):
        self.rfd, self.wfd = rfd, wfd

    def read_exact(self, n):
        chunks = []
        while n > 0:
            b = os.read(self.rfd, min(n, 1 << 20))
            if not b:
                raise EOFError
            chunks.append(b)
            n -= len(b)
        return b"".join(chunks)

    def receive(self):
        (n,) = struct.unpack(">I", self.read_exact(4))
        if n > MAX_FRAME:
            raise ValueError("request too large")
        return json.loads(self.read_exact(n).decode("utf-8"))

    def send(self, obj):
        data = json.dumps(obj, ensure_ascii=True, allow_nan=True).encode("ascii")
        if len(data) > MAX_FRAME:
            data = json.dumps(error_reply(MemoryError("the value is too large to return (%d bytes)" % len(data))))
            data = data.encode("ascii")
        view = memoryview(struct.pack(">I", len(data)) + data)
        while view:
            view = view[os.write(self.wfd, view):]


handles = {}


def keep(obj):
    hid = len(handles) + 1
    handles[hid] = obj
    return {"h": hid, "type": type(obj).__name__, "callable": callable(obj)}


def encode(v, depth=0):
    # exact types only; subclasses of the plain containers are read with the base type's own methods, so an
    # overridden __iter__/__eq__ cannot reach the judge (it would get a plain copy or a handle)
    if depth > 200:
        raise RecursionError("the value is nested too deeply")
    if v is None or v is True or v is False:
        return v
    t = type(v)
    if isinstance(v, bool):
        return bool.__bool__(v)
    if isinstance(v, int) and t is int:
        return v
    if isinstance(v, float) and t is float:
        return v
    if isinstance(v, str) and t is str:
        return v
    if t is list:
        return [encode(x, depth + 1) for x in list.__iter__(v)]
    if t is tuple:
        return {"t": [encode(x, depth + 1) for x in tuple.__iter__(v)]}
    if t is dict:
        return {"d": [[encode(k, depth + 1), encode(x, depth + 1)] for k, x in dict.items(v)]}
    if t is set:
        return {"s": [encode(x, depth + 1) for x in set.__iter__(v)]}
    if t is frozenset:
        return {"f": [encode(x, depth + 1) for x in frozenset.__iter__(v)]}
    if t is bytes:
        return {"b": bytes.hex(v)}
    if t is complex:
        return {"c": [complex.__getattribute__(v, "real"), complex.__getattribute__(v, "imag")]}
    # subclasses of plain types (Counter, OrderedDict, defaultdict, namedtuple, IntEnum, str subclasses)
    if isinstance(v, int):
        return int.__int__(v)
    if isinstance(v, float):
        return float.__float__(v)
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, dict):
        return {"d": [[encode(k, depth + 1), encode(x, depth + 1)] for k, x in dict.items(v)]}
    if isinstance(v, tuple):
        return {"t": [encode(x, depth + 1) for x in tuple.__iter__(v)]}
    if isinstance(v, list):
        return [encode(x, depth + 1) for x in list.__iter__(v)]
    return keep(v)


def decode(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, list):
        return [decode(x) for x in v]
    if "h" in v:
        return handles[v["h"]]
    if "t" in v:
        return tuple(decode(x) for x in v["t"])
    if "d" in v:
        return {decode(k): decode(x) for k, x in v["d"]}
    if "s" in v:
        return {decode(x) for x in v["s"]}
    if "f" in v:
        return frozenset(decode(x) for x in v["f"])
    if "b" in v:
        return bytes.fromhex(v["b"])
    if "c" in v:
        return complex(v["c"][0], v["c"][1])
    raise ValueError("unknown value tag")


def error_reply(e):
    import traceback
    return {"ok": False, "type": type(e).__name__, "message": str(e)[:2000],
            "trace": "".join(traceback.format_exception(e, limit=-3))[-4000:]}


def describe(name, v):
    """How the judge binds one of the solution's global names: a module or standard-library object is
    imported by the judge itself; plain values are copied; the rest are handles."""
    import types
    if isinstance(v, types.ModuleType):
        return {"module": v.__name__}
    mod = getattr(v, "__module__", None) if isinstance(v, (type, types.BuiltinFunctionType, types.FunctionType)) else None
    if isinstance(mod, str) and mod.split(".")[0] in sys.stdlib_module_names and mod != "__main__":
        qual = getattr(v, "__qualname__", None)
        if isinstance(qual, str):
            return {"std": [mod, qual], "fallback": keep(v)}
    try:
        return {"v": encode(v)}
    except Exception:
        return keep(v)


def load(req, scope):
    code = req["code"]
    if req["sanitize"]:
        code = sanitize(code, req["roots"])
    # tracebacks show the solution's lines without a file on disk
    import linecache
    linecache.cache["program.py"] = (len(code), None, code.splitlines(True), "program.py")
    exec(compile(code, "program.py", "exec"), scope)
    names = {}
    for name, v in list(scope.items()):
        if not name.startswith("__"):
            names[name] = describe(name, v)
    return names


def serve(ch, scope):
    while True:
        try:
            req = ch.receive()
        except EOFError:
            os._exit(0)
        try:
            op = req["op"]
            if op == "load":
                reply = {"ok": True, "names": load(req, scope)}
            else:
                target = handles[req["target"]]
                if op == "call":
                    args = decode(req["args"])
                    kwargs = {k: decode(x) for k, x in req["kwargs"]}
                    value = target(*args, **kwargs)
                elif op == "getattr":
                    value = getattr(target, req["name"])
                elif op == "setattr":
                    setattr(target, req["name"], decode(req["value"]))
                    value = None
                elif op == "iter":
                    value = list(target)
                elif op == "len":
                    value = int(len(target))
                elif op == "bool":
                    value = bool(target)
                elif op == "str":
                    value = str.__str__(str(target))
                elif op == "repr":
                    value = str.__str__(repr(target))
                elif op == "getitem":
                    value = target[decode(req["key"])]
                elif op == "contains":
                    value = bool(decode(req["key"]) in target)
                else:
                    raise ValueError("unknown operation " + repr(op))
                reply = {"ok": True, "value": encode(value)}
        except BaseException as e:  # SystemExit and KeyboardInterrupt included: they end the call, not the server
            reply = error_reply(e)
        sys.stdout.flush()
        sys.stderr.flush()
        ch.send(reply)


def main():
    resp_fd = int(sys.argv[1])
    job = json.loads(sys.argv[2])
    die_with_parent()
    limit(job)
    why = install_seccomp()
    if why is not None and job["seccomp_required"]:
        sys.stderr.write("T2L-SANDBOX: seccomp is required but unavailable: " + why + "\n")
        sys.stderr.flush()
        os._exit(70)
    if job.get("probe"):
        # the launcher's probe: report what is in force, then try what must fail
        sys.stdout.write("seccomp=" + ("on" if why is None else "off (" + why + ")") + "\n")
        sys.stdout.flush()
        os._exit(0)
    sys.set_int_max_str_digits(0)
    sys.setrecursionlimit(3000)
    ch = Channel(0, resp_fd)
    guard()
    scope = {"__name__": "__main__", "__builtins__": __builtins__}
    serve(ch, scope)


main()
