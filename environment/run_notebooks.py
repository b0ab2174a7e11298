#!/usr/bin/env python3
"""Executes saelab notebooks headless with the `saelab` Java kernel.

  run_notebooks.py [--profile demo|paper] [--quick] [--out DIR] [--repeat N] [--jobs N] [NOTEBOOK ...]

NOTEBOOK is a file under notebooks/ (with or without .ipynb) or a path; none means all of
notebooks/*.ipynb in name order. Parameters reach the notebooks as environment variables:
SAELAB_PROFILE (demo|paper) and SAELAB_QUICK (1 = small sizes). Executed copies, with outputs, are
written to --out (default figures/<profile>/notebooks/), never over the committed notebooks, and
are saved also when a cell fails. A kernel that does not answer within --start-timeout seconds is
killed and started again (--start-retries times). --jobs N runs N notebooks at a time, each in its own
process and kernel (lines are printed as each finishes; with --repeat they run one at a time). --skip-unchanged
(the main command's) skips a notebook whose last successful run had the same stamp (its own file, the library jar
and its dependencies, the kernel's start-up script, every step key of the run it reads, the profile and mode) and
whose registered outputs (data-manifests/figures.json) and executed copy all still exist. Exit status: 0 when every
notebook ran, 1 when a cell failed (its notebook, cell number, source and error are printed), 2 on bad arguments.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def fail_usage(msg):
    print(f"saelab notebooks: {msg}", file=sys.stderr)
    sys.exit(2)


def resolve_notebooks(names):
    nb_dir = os.path.join(ROOT, "notebooks")
    if not names:
        found = sorted(f for f in os.listdir(nb_dir) if f.endswith(".ipynb"))
        if not found:
            fail_usage(f"no notebooks in {nb_dir}")
        return [os.path.join(nb_dir, f) for f in found]
    paths = []
    for n in names:
        candidates = [n, os.path.join(nb_dir, n), os.path.join(nb_dir, n + ".ipynb")]
        hit = next((c for c in candidates if os.path.isfile(c)), None)
        if hit is None:
            fail_usage(f"notebook '{n}' not found (looked for {', '.join(candidates)})")
        paths.append(os.path.abspath(hit))
    return paths


def shown(path):
    """A path relative to the checkout when inside it, absolute otherwise."""
    rel = os.path.relpath(path, ROOT)
    return os.path.abspath(path) if rel.startswith("..") else rel


def save_atomically(nb, path):
    import nbformat
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix="." + os.path.basename(path) + ".")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class KernelStartError(Exception):
    pass


def execute(nb, args, workdir, kernel_log):
    """Runs every code cell of nb in place. Raises KernelStartError when the kernel never answers."""
    from nbclient import NotebookClient
    attempts = args.start_retries + 1
    for attempt in range(1, attempts + 1):
        client = NotebookClient(nb, kernel_name=args.kernel, timeout=args.cell_timeout,
                                startup_timeout=args.start_timeout, allow_errors=False,
                                resources={"metadata": {"path": workdir}})
        started = False
        try:
            # setup_kernel starts the kernel, waits up to startup_timeout for it to answer (killing it
            # if it does not), and shuts it down when the block ends.
            with client.setup_kernel(stdout=kernel_log, stderr=kernel_log):
                info = client.wait_for_reply(client.kc.kernel_info())
                started = True
                nb.metadata["language_info"] = info["content"].get("language_info", {})
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
            return
        except Exception as e:  # noqa: BLE001 - a failure before `started` is a start failure
            if started:
                raise
            if attempt < attempts:
                print(f"saelab notebooks: the kernel did not answer at start ({e.__class__.__name__}: {e}); "
                      f"starting it again (attempt {attempt + 1} of {attempts})", file=sys.stderr, flush=True)
                continue
            raise KernelStartError(f"the kernel '{args.kernel}' did not answer within {args.start_timeout} s "
                                   f"in {attempts} attempts: {e.__class__.__name__}: {e}") from e


def describe_cell_error(path, nb, e):
    """The failing cell's number, source and error, for the terminal."""
    index = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                  and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
    lines = [f"FAILED {shown(path)}"]
    if index is not None:
        cell = nb.cells[index]
        code_no = sum(1 for c in nb.cells[: index + 1] if c.cell_type == "code")
        lines.append(f"  in cell {index} (code cell {code_no}):")
        lines += ["    | " + line for line in cell.source.splitlines()]
        for out in cell.outputs:
            if out.get("output_type") == "error":
                lines.append(f"  error: {out.get('ename', '')}: {ANSI.sub('', out.get('evalue', ''))}")
                tb = [ANSI.sub("", t) for t in out.get("traceback", [])]
                lines += ["    " + t for t in "\n".join(tb).splitlines() if t.strip()][:40]
    else:
        lines.append("  " + ANSI.sub("", str(e)).strip().replace("\n", "\n  ")[:4000])
    return "\n".join(lines)


def run_index(profile, root=ROOT):
    """The run the notebooks read, as saelab.notebook.Demo.open finds it: SAELAB_DEMO_WORK (relative to the checkout) or
    work/<profile>, its demo.json."""
    work = os.environ.get("SAELAB_DEMO_WORK") or os.path.join("work", profile)
    return os.path.join(root, work, "demo.json")


def file_digest(path, h):
    h.update(os.path.basename(path).encode())
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except FileNotFoundError:
        h.update(b"<missing>")


def stamp(path, profile, quick, root=ROOT):
    """What a notebook's outputs depend on, as one SHA-256: the notebook, the library and its dependencies (names and
    sizes: a dependency changes only with the pom, which rebuilds the jar), the kernel start-up script, the run's step
    keys, the profile and the mode."""
    h = hashlib.sha256()
    file_digest(path, h)
    dist = os.path.join(root, "lib", "target", "dist")
    file_digest(os.path.join(dist, "saelab.jar"), h)
    deps = os.path.join(dist, "deps")
    if os.path.isdir(deps):
        for name in sorted(os.listdir(deps)):
            h.update(f"{name}:{os.path.getsize(os.path.join(deps, name))}".encode())
    file_digest(os.path.join(root, "environment", "kernel", "init.jshell"), h)
    try:
        with open(run_index(profile, root)) as f:
            steps = json.load(f).get("steps", {})
        h.update(json.dumps({k: v.get("key") for k, v in steps.items()}, sort_keys=True).encode())
    except (OSError, ValueError):
        h.update(b"<no run index>")
    h.update(f"{profile}:{quick}".encode())
    return h.hexdigest()


def registered_outputs(path, figures_dir, profile, root=ROOT):
    """The files the registry expects from this notebook under figures_dir (<id>.<ext> for each output; a per-run entry,
    id ending in -{run}, once per run its "runs" lists for the profile); None when the registry cannot be read or a
    per-run entry lists no runs for the profile (then nothing tells which files to expect)."""
    try:
        with open(os.path.join(root, "data-manifests", "figures.json")) as f:
            figures = json.load(f).get("figures", [])
    except (OSError, ValueError):
        return None
    name = os.path.basename(path)
    out = []
    for fig in figures:
        if fig.get("notebook") != name or (fig.get("profiles") is not None and profile not in fig["profiles"]):
            continue
        ids = [fig["id"]]
        if fig["id"].endswith("-{run}"):
            runs = (fig.get("runs") or {}).get(profile)
            if not runs:
                return None
            ids = [fig["id"][: -len("{run}")] + r for r in runs]
        out += [os.path.join(figures_dir, f"{i}.{ext}") for i in ids for ext in fig.get("outputs", [])]
    return out


def stamp_path(path, out_dir):
    return os.path.join(out_dir, os.path.basename(path)[: -len(".ipynb")] + ".stamp")


def unchanged(path, args, out_dir):
    """Whether --skip-unchanged may skip this notebook: same stamp as its last good run, outputs all present."""
    try:
        with open(stamp_path(path, out_dir)) as f:
            last = f.read().strip()
    except OSError:
        return False
    if last != stamp(path, args.profile, args.quick):
        return False
    figures_dir = os.path.join(os.environ.get("SAELAB_FIGURES") or os.path.join(ROOT, "figures"), args.profile)
    outputs = registered_outputs(path, figures_dir, args.profile)
    if outputs is None:
        return False
    return os.path.isfile(os.path.join(out_dir, os.path.basename(path))) and all(os.path.isfile(o) for o in outputs)


def write_stamp(path, args, out_dir):
    target = stamp_path(path, out_dir)
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix="." + os.path.basename(target) + ".")
    with os.fdopen(fd, "w") as f:
        f.write(stamp(path, args.profile, args.quick) + "\n")
    os.replace(tmp, target)


def run_one(path, run, args, out_dir):
    """Executes one notebook; returns (label, ok, stdout text, stderr text). The executed copy is saved either way."""
    import nbformat
    name = os.path.basename(path)
    nb = nbformat.read(path, as_version=4)
    t0 = time.monotonic()
    label = f"{name}" + (f" (run {run + 1}/{args.repeat})" if args.repeat > 1 else "")
    if args.skip_unchanged and args.repeat == 1 and unchanged(path, args, out_dir):
        return label, True, f"  skip    {label}  (unchanged: same notebook, library and run; outputs present)", ""
    if args.skip_unchanged:
        try:
            os.remove(stamp_path(path, out_dir))  # a run that fails half-way leaves no stamp behind
        except FileNotFoundError:
            pass
    log_path = os.path.join(out_dir, name[: -len(".ipynb")] + ".kernel.log")
    try:
        with open(log_path, "w") as kernel_log:
            execute(nb, args, os.path.dirname(path), kernel_log)
        if args.skip_unchanged:
            write_stamp(path, args, out_dir)
        return label, True, f"  ok      {label}  {time.monotonic() - t0:6.1f} s", ""
    except KernelStartError as e:
        return label, False, "", f"FAILED {label}: {e}\n  kernel log: {shown(log_path)}"
    except Exception as e:  # noqa: BLE001 - any cell error, timeout or kernel death fails the notebook
        return label, False, "", describe_cell_error(path, nb, e) + f"\n  kernel log: {shown(log_path)}"
    finally:
        save_atomically(nb, os.path.join(out_dir, name))


def _run_task(task):
    return run_one(*task)


def report(label, ok, out, err, failures):
    if out:
        print(out, flush=True)
    if err:
        print(err, file=sys.stderr, flush=True)
    if not ok:
        failures.append(label)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebooks", nargs="*")
    p.add_argument("--profile", default=os.environ.get("SAELAB_PROFILE") or "demo", choices=["demo", "paper"])
    p.add_argument("--quick", action="store_true", default=os.environ.get("SAELAB_QUICK", "") in ("1", "true", "yes", "on"))
    p.add_argument("--out", help="folder for executed copies (default figures/<profile>/notebooks)")
    p.add_argument("--kernel", default="saelab")
    p.add_argument("--start-timeout", type=int, default=int(os.environ.get("SAELAB_KERNEL_START_TIMEOUT", "45")))
    p.add_argument("--start-retries", type=int, default=2)
    p.add_argument("--cell-timeout", type=int, default=int(os.environ.get("SAELAB_CELL_TIMEOUT", "1800")))
    p.add_argument("--repeat", type=int, default=1, help="run each notebook this many times (start-up stress test)")
    p.add_argument("--jobs", type=int, default=1, help="notebooks run at a time, each with its own kernel")
    p.add_argument("--skip-unchanged", action="store_true",
                   help="skip a notebook whose inputs and outputs are as its last successful run left them")
    args = p.parse_args(argv)
    if args.repeat < 1:
        fail_usage("--repeat must be at least 1")
    if args.jobs < 1:
        fail_usage("--jobs must be at least 1")

    import nbformat

    os.environ["SAELAB_PROFILE"] = args.profile
    os.environ["SAELAB_QUICK"] = "1" if args.quick else "0"
    os.environ["SAELAB_HOME"] = ROOT
    jupyter_path = os.path.join(ROOT, "environment", ".local", "jupyter")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [jupyter_path, os.environ.get("JUPYTER_PATH")]))
    out_dir = args.out or os.path.join(os.environ.get("SAELAB_FIGURES") or os.path.join(ROOT, "figures"),
                                       args.profile, "notebooks")

    paths = resolve_notebooks(args.notebooks)
    mode = "quick" if args.quick else "full"
    print(f"saelab notebooks: {len(paths)} notebook(s), profile {args.profile}, {mode} mode, kernel {args.kernel}",
          flush=True)
    failures, runs = [], 0
    tasks = [(path, run) for run in range(args.repeat) for path in paths]
    os.makedirs(out_dir, exist_ok=True)
    if args.jobs > 1 and len(tasks) > 1 and args.repeat == 1:  # repeats of one notebook share its output files
        import multiprocessing
        # fork: the children inherit the environment set above; each runs its own kernel
        with multiprocessing.get_context("fork").Pool(min(args.jobs, len(tasks))) as pool:
            results = pool.imap_unordered(_run_task, [(path, run, args, out_dir) for path, run in tasks])
            for label, ok, out, err in results:
                runs += 1
                report(label, ok, out, err, failures)
    else:
        for path, run in tasks:
            runs += 1
            report(*run_one(path, run, args, out_dir), failures)
    print(f"saelab notebooks: {runs - len(failures)} of {runs} run(s) succeeded; executed copies in "
          f"{shown(out_dir)}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
