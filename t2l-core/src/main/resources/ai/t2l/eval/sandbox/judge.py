# T2L code sandbox, the judge side (see docs/SANDBOX.md). Runs the benchmark's TEST code (trusted data)
# in this process and the model's SOLUTION (untrusted) in a separate, contained candidate process that it
# starts with the command line the Java launcher chose. The test code calls the solution's functions through
# proxies; arguments and results cross the pipes as plain data, decoded here into fresh built-in objects, so
# every assert compares values this process made. The candidate cannot reach this process (other PID
# namespace and uid, no shared files) nor its stdout, which carries the one verdict line Java reads.
import builtins
import contextlib
import importlib
import io
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import threading
import traceback

MAX_FRAME = 32 << 20


class CandidateGone(Exception):
    """The candidate process died or broke the protocol: the item fails."""


class CandidateError(Exception):
    """An exception raised in the solution whose type is not a built-in one."""


class Candidate:
    def __init__(self, argv, env, cwd, output_cap):
        req_r, self.req_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        out_r, out_w = os.pipe()
        argv = [a.replace("@RESP_FD@", str(resp_w)) for a in argv]
        self.proc = subprocess.Popen(argv, stdin=req_r, stdout=out_w, stderr=out_w, pass_fds=(resp_w,),
                                     env=env, cwd=cwd, close_fds=True)
        for fd in (req_r, resp_w, out_w):
            os.close(fd)
        self.output = bytearray()
        self.output_cap = output_cap
        self.overflow = False
        self.drainer = threading.Thread(target=self._drain, args=(out_r,), daemon=True)
        self.drainer.start()

    def _drain(self, fd):
        while True:
            b = os.read(fd, 65536)
            if not b:
                break
            room = self.output_cap - len(self.output)
            self.output += b[:max(0, room)]
            if len(b) > room:
                self.overflow = True
                self.kill()
                break
        os.close(fd)

    def finish(self):
        """Ends the candidate and returns its exit status. Closing the requests makes a serving candidate exit;
        one that died on its own (e.g. 124 from its CPU limit) keeps its status instead of our SIGKILL's."""
        try:
            os.close(self.req_w)
        except OSError:
            pass
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.wait()
        self.drainer.join(30)
        return code

    def kill(self):
        try:
            self.proc.kill()
        except OSError:
            pass

    def _read_exact(self, n):
        chunks = []
        while n > 0:
            b = os.read(self.resp_r, min(n, 1 << 20))
            if not b:
                raise CandidateGone("the solution's process ended")
            chunks.append(b)
            n -= len(b)
        return b"".join(chunks)

    def request(self, msg):
        data = json.dumps(msg, ensure_ascii=True).encode("ascii")
        try:
            os.write(self.req_w, struct.pack(">I", len(data)) + data) if len(data) < 65536 else self._write_all(
                struct.pack(">I", len(data)) + data)
        except (BrokenPipeError, OSError):
            raise CandidateGone("the solution's process ended") from None
        (n,) = struct.unpack(">I", self._read_exact(4))
        if n > MAX_FRAME:
            raise CandidateGone("the solution's process sent a reply of %d bytes (limit %d)" % (n, MAX_FRAME))
        try:
            return json.loads(self._read_exact(n).decode("ascii"))
        except (ValueError, RecursionError, MemoryError) as e:
            raise CandidateGone("the solution's process sent a malformed reply: " + type(e).__name__) from None

    def _write_all(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self.req_w, view):]


class Handle:
    """An object that stayed in the candidate. Equality and order are identity only: a result that is not plain
    data can never compare equal to an expected value (the "__eq__ always True" forgery)."""

    def __init__(self, conn, hid, type_name, is_callable):
        self._conn, self._hid, self._type, self._callable = conn, hid, type_name, is_callable

    def _op(self, op, **kw):
        return self._conn.call(dict(op=op, target=self._hid, **kw))

    def __call__(self, *args, **kwargs):
        return self._op("call", args=self._conn.encode(list(args)),
                        kwargs=[[k, self._conn.encode(v)] for k, v in kwargs.items()])

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._op("getattr", name=name)

    def __setattr__(self, name, value):
        # MBPP's test_setup_code builds the solution's own objects (trees, linked lists) attribute by attribute
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self._op("setattr", name=name, value=self._conn.encode(value))

    def __iter__(self):
        return iter(self._op("iter"))

    def __len__(self):
        return self._op("len")

    def __bool__(self):
        return self._op("bool")

    def __str__(self):
        return self._op("str")

    def __repr__(self):
        return "<%s from the solution>" % self._type

    def __getitem__(self, key):
        return self._op("getitem", key=self._conn.encode(key))

    def __contains__(self, key):
        return self._op("contains", key=self._conn.encode(key))

    __hash__ = object.__hash__
    __eq__ = object.__eq__


class Connection:
    def __init__(self, candidate):
        self.candidate = candidate

    def call(self, msg):
        reply = self.candidate.request(msg)
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            raise CandidateGone("the solution's process sent a malformed reply")
        if reply["ok"]:
            return self.decode(reply.get("value"))
        raise self.exception(reply)

    def exception(self, reply):
        name = reply.get("type")
        message = reply.get("message")
        message = message if isinstance(message, str) else ""
        trace = reply.get("trace")
        cls = getattr(builtins, name, None) if isinstance(name, str) else None
        # the solution's built-in exception types keep their meaning for "except ValueError:" in tests;
        # exits and interrupts inside a call are failures, never control flow here
        e = None
        if isinstance(cls, type) and issubclass(cls, Exception):
            try:
                e = cls(message)
            except Exception:
                e = None
        if e is None:
            e = CandidateError("%s: %s" % (name if isinstance(name, str) else "?", message))
        # shown in the item's output: where in the solution it went wrong (text only, never executed)
        e.t2l_solution_trace = trace if isinstance(trace, str) else ""
        return e

    def encode(self, v, depth=0):
        if depth > 200:
            raise ValueError("argument nested too deeply for the sandbox")
        t = type(v)
        if v is None or t in (bool, int, float, str):
            return v
        if t is list:
            return [self.encode(x, depth + 1) for x in v]
        if t is tuple:
            return {"t": [self.encode(x, depth + 1) for x in v]}
        if t is dict:
            return {"d": [[self.encode(k, depth + 1), self.encode(x, depth + 1)] for k, x in v.items()]}
        if t is set:
            return {"s": [self.encode(x, depth + 1) for x in v]}
        if t is frozenset:
            return {"f": [self.encode(x, depth + 1) for x in v]}
        if t is bytes:
            return {"b": v.hex()}
        if t is complex:
            return {"c": [v.real, v.imag]}
        if isinstance(v, Handle) and v._conn is self:
            return {"h": v._hid}
        if isinstance(v, (list, tuple, dict, set, frozenset)):
            return self.encode(t.__mro__[-2](v) if not isinstance(v, dict) else dict(v), depth)
        raise TypeError("cannot pass a %s to the sandboxed solution (plain data only)" % t.__name__)

    def decode(self, v, depth=0):
        # strict: only the tags the candidate's encoder writes; anything else is a protocol error
        if depth > 400:
            raise CandidateGone("the solution's process sent a value nested too deeply")
        if v is None or type(v) in (bool, int, float, str):
            return v
        if type(v) is list:
            return [self.decode(x, depth + 1) for x in v]
        if type(v) is dict and len(v) >= 1:
            if "h" in v and type(v["h"]) is int:
                return Handle(self, v["h"], str(v.get("type")), bool(v.get("callable")))
            if len(v) == 1:
                (tag, body), = v.items()
                if tag == "t" and type(body) is list:
                    return tuple(self.decode(x, depth + 1) for x in body)
                if tag == "d" and type(body) is list:
                    out = {}
                    for pair in body:
                        if type(pair) is not list or len(pair) != 2:
                            raise CandidateGone("the solution's process sent a malformed dict")
                        out[self.decode(pair[0], depth + 1)] = self.decode(pair[1], depth + 1)
                    return out
                if tag == "s" and type(body) is list:
                    return {self.decode(x, depth + 1) for x in body}
                if tag == "f" and type(body) is list:
                    return frozenset(self.decode(x, depth + 1) for x in body)
                if tag == "b" and type(body) is str:
                    return bytes.fromhex(body)
                if tag == "c" and type(body) is list and len(body) == 2 and all(type(x) in (int, float) for x in body):
                    return complex(body[0], body[1])
        raise CandidateGone("the solution's process sent a value of unknown shape")


def bind(conn, names):
    """The solution's global names as the test sees them: stdlib objects imported here, the rest decoded."""
    out = {}
    if type(names) is not dict:
        raise CandidateGone("the solution's process sent a malformed name table")
    for name, d in names.items():
        if type(d) is not dict:
            raise CandidateGone("the solution's process sent a malformed name table")
        if "module" in d:
            mod = d["module"]
            if type(mod) is str and mod.split(".")[0] in sys.stdlib_module_names:
                try:
                    out[name] = importlib.import_module(mod)
                    continue
                except Exception:
                    pass
            continue
        if "std" in d:
            try:
                mod, qual = d["std"]
                obj = importlib.import_module(mod)
                for part in qual.split("."):
                    obj = getattr(obj, part)
                out[name] = obj
                continue
            except Exception:
                d = d.get("fallback")
        if "v" in d:
            out[name] = conn.decode(d["v"])
        else:
            out[name] = conn.decode(d)
    return out


def names_used(test):
    import ast
    try:
        return sorted({n.id for n in ast.walk(ast.parse(test)) if isinstance(n, ast.Name)})
    except SyntaxError:
        return []


def verdict(status, detail, output):
    return {"status": status, "detail": detail, "output": output}


def run(job):
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONIOENCODING": "utf-8",
           "HOME": job["candidate_home"], "TMPDIR": job["candidate_home"]}
    cand = Candidate(job["candidate_argv"], env, job["candidate_cwd"], job["output_bytes"])
    conn = Connection(cand)
    test_out = io.StringIO()
    status, detail = "failed", ""
    try:
        names = conn.candidate.request({"op": "load", "code": job["code"], "sanitize": job["sanitize"],
                                        "roots": names_used(job["test"])})
        if not isinstance(names, dict) or names.get("ok") is not True:
            raise conn.exception(names) if isinstance(names, dict) else CandidateGone("malformed reply")
        import linecache
        linecache.cache["test.py"] = (len(job["test"]), None, job["test"].splitlines(True), "test.py")
        scope = {"__name__": "__main__", "__builtins__": builtins}
        scope.update(bind(conn, names.get("names")))
        with contextlib.redirect_stdout(test_out):
            exec(compile(job["test"], "test.py", "exec"), scope)
        status, detail = "passed", "passed"
    except BaseException as e:
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
        if not isinstance(e, CandidateGone):
            # the test's own lines only: the judge's proxy frames say nothing about the item
            frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == "test.py"]
            test_out.write("Traceback (the test):\n" + "".join(traceback.format_list(frames)) + detail + "\n")
            solution_trace = getattr(e, "t2l_solution_trace", "")
            if solution_trace:
                test_out.write("in the solution:\n" + solution_trace)
    finally:
        code = cand.finish()
    if cand.overflow:
        status, detail = "output_limit", "the solution printed more than %d bytes" % job["output_bytes"]
    elif status != "passed" and code == 124:
        status, detail = "timeout", "CPU time limit (%d s)" % job["cpu_seconds"]
    elif status != "passed" and code == 70:
        detail = "the containment could not be set up (seccomp): " + detail
    output = cand.output.decode("utf-8", "replace") + test_out.getvalue()[-job["output_bytes"]:]
    return verdict(status, detail, output)


def main():
    with open("job.json", encoding="utf-8") as f:
        job = json.load(f)
    # the test code is trusted, but its time and memory are still bounded
    signal.signal(signal.SIGXCPU, lambda *a: os._exit(124))
    cpu = job["cpu_seconds"] * 2 + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # decoded replies (frames up to 32 MiB) stay far below this; the candidate lowers it for itself
    memory = max(2 << 30, 2 * job["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    sys.set_int_max_str_digits(0)
    sys.setrecursionlimit(5000)
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    sys.stdout = io.StringIO()
    try:
        v = run(job)
    except BaseException as e:
        v = verdict("failed", "the judge failed: " + type(e).__name__ + ": " + str(e)[:500], "")
    out.write("\nT2L-VERDICT " + json.dumps(v, ensure_ascii=True) + "\n")
    out.flush()
    os._exit(0)


main()
