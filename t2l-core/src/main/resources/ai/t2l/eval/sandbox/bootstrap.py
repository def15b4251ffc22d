# T2L code sandbox bootstrap (see docs/EVALUATION.md, "Code sandbox").
# Runs in a fresh temporary directory as its own process group (and, when possible, its own network and PID
# namespaces). Reads job.json, deletes it, limits the process, disables the dangerous parts of the standard
# library (after human-eval's reliability_guard), optionally sanitises the solution (MBPP, evalplus-like),
# then executes solution + tests. Success is the nonce line printed after everything ran: exiting early,
# even with status 0, is a failure.
import ast
import json
import os
import resource
import signal
import sys


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
    # ignored for root, which the PID namespace covers instead; for other users it stops fork bombs
    nproc = job["max_processes"]
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def no_network():
    import socket

    def denied(*args, **kwargs):
        raise OSError("network access is disabled in the sandbox")

    for name in ("socket", "create_connection", "create_server", "socketpair", "fromfd", "getaddrinfo",
                 "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
        if hasattr(socket, name):
            setattr(socket, name, denied)


def guard():
    # after human-eval's reliability_guard: no processes, no signals, no file system damage
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


def sanitize(src, test):
    # evalplus-style: keep imports, and the functions, classes and simple assignments reachable from the
    # names the tests use (evalplus: from the entry point); drop top-level calls, prints, asserts, main guards
    src = src.replace("\r\n", "\n")
    src, tree = longest_parsable_prefix(src)
    lines = src.split("\n")
    try:
        roots = {n.id for n in ast.walk(ast.parse(test)) if isinstance(n, ast.Name)}
    except SyntaxError:
        roots = set()
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


def main():
    with open("job.json", encoding="utf-8") as f:
        job = json.load(f)
    os.remove("job.json")
    nonce = job["nonce"]
    limit(job)
    code = job["code"]
    if job["sanitize"]:
        code = sanitize(code, job["test"])
    program = code + "\n" + job["test"]
    with open("program.py", "w", encoding="utf-8") as f:
        f.write(program)
    no_network()
    guard()
    scope = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        compiled = compile(program, "program.py", "exec")
        exec(compiled, scope)
    except SystemExit as e:
        sys.stdout.flush()
        sys.stderr.write("\nT2L-SANDBOX: the program exited (%r) before its tests finished\n" % (e.code,))
        sys.stderr.flush()
        os._exit(3)
    except BaseException as e:
        import traceback
        sys.stdout.flush()
        traceback.print_exc(limit=-3)
        sys.stderr.flush()
        os._exit(1)
    sys.stdout.flush()
    sys.stderr.flush()
    sys.stdout.write("\nT2L-SANDBOX-OK " + nonce + "\n")
    sys.stdout.flush()
    os._exit(0)


main()
