#!/usr/bin/env python3
"""Writes the Jupyter kernelspecs of saelab (called by environment/setup.sh).

* `saelab`: rapaio-jupyter-kernel with saelab's start-up fix first on the kernel's classpath, the
  library and its dependencies on the notebook classpath (RJK_CLASSPATH), and the start-up imports
  of environment/kernel/init.jshell (RJK_INIT_SCRIPT).
* `saelab-ijava` / `saelab-jjava`: the same classpath and imports for an IJava or JJava kernel that
  the user already has installed (IJAVA_CLASSPATH / JJAVA_CLASSPATH and *_STARTUP_SCRIPT).

Kernelspecs go to the project's own Jupyter data folder (--data-dir); with --register-user they are
also installed into the user's Jupyter data folder so JupyterLab lists them.
"""
import argparse
import copy
import json
import os
import sys
import tempfile

SAELAB_ENV = "SAELAB_HOME"


def library_jars(dist):
    """The library jar first, then its dependencies in name order."""
    deps = os.path.join(dist, "deps")
    jars = [os.path.join(dist, "saelab.jar")]
    jars += sorted(os.path.join(deps, f) for f in os.listdir(deps) if f.endswith(".jar"))
    missing = [j for j in jars if not os.path.isfile(j)]
    if missing:
        sys.exit(f"saelab: the library is not built: {missing[0]} is missing (run ./saelab setup)")
    return jars


def rapaio_spec(args, jars, jvm_flags):
    return {
        "argv": [args.java, *jvm_flags, "-cp", os.pathsep.join([args.patch, args.kernel_jar]),
                 "org.rapaio.jupyter.kernel.MainApp", "{connection_file}"],
        "display_name": "Java (saelab)",
        "language": "java",
        "interrupt_mode": "message",
        "env": {
            "RJK_CLASSPATH": ";".join(jars),  # rapaio separates entries with ';'
            "RJK_INIT_SCRIPT": os.path.join(args.root, "environment", "kernel", "init.jshell"),
            SAELAB_ENV: args.root,
        },
        "metadata": {"saelab": {"kernel": "rapaio-jupyter-kernel", "jar": args.kernel_jar}},
    }


def java_flavour(spec):
    """'ijava' or 'jjava' when a kernelspec runs one of those kernels, else None."""
    text = " ".join(spec.get("argv", [])).lower()
    for flavour in ("jjava", "ijava"):
        if flavour in text:
            return flavour
    return None


def derived_spec(user_spec, flavour, root, jars, jvm_flags, init_script):
    """A copy of an IJava/JJava kernelspec that sees the saelab library and imports."""
    spec = copy.deepcopy(user_spec)
    argv = list(spec["argv"])
    if argv and os.path.basename(argv[0]).startswith("java"):
        argv[1:1] = [f for f in jvm_flags if f not in argv]
    spec["argv"] = argv
    prefix = flavour.upper()
    env = dict(spec.get("env") or {})
    previous = env.get(f"{prefix}_CLASSPATH")
    env[f"{prefix}_CLASSPATH"] = os.pathsep.join(jars + ([previous] if previous else []))
    env[f"{prefix}_STARTUP_SCRIPT"] = init_script
    env[SAELAB_ENV] = root
    spec["env"] = env
    spec["display_name"] = f"Java (saelab, {'JJava' if flavour == 'jjava' else 'IJava'})"
    return spec


def write_spec(data_dir, name, spec):
    folder = os.path.join(data_dir, "kernels", name)
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, "kernel.json")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".kernel.json.")
    with os.fdopen(fd, "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    os.replace(tmp, target)
    return folder


def user_java_kernels():
    """IJava/JJava kernelspecs installed for the user or system-wide (not saelab's own)."""
    from jupyter_client.kernelspec import KernelSpecManager
    ksm = KernelSpecManager()
    ksm.ensure_native_kernel = False  # only installed kernelspecs; do not import ipykernel
    found = {}
    for name, folder in sorted(ksm.find_kernel_specs().items()):
        if name.startswith("saelab"):
            continue
        try:
            with open(os.path.join(folder, "kernel.json")) as f:
                spec = json.load(f)
        except (OSError, ValueError) as e:
            print(f"saelab: skipping kernelspec '{name}' in {folder}: {e}", file=sys.stderr)
            continue
        flavour = java_flavour(spec)
        if flavour and flavour not in found:
            found[flavour] = spec
    return found


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", required=True)
    p.add_argument("--java", required=True)
    p.add_argument("--kernel-jar", required=True)
    p.add_argument("--patch", required=True)
    p.add_argument("--dist", required=True)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--register-user", action="store_true")
    p.add_argument("jvm_flags", nargs="*")
    args = p.parse_args(argv)

    jars = library_jars(args.dist)
    with open(os.path.join(args.root, "environment", "kernel", "init.jshell")) as f:
        init_script = f.read()
    specs = {"saelab": rapaio_spec(args, jars, args.jvm_flags)}
    for flavour, spec in user_java_kernels().items():
        specs[f"saelab-{flavour}"] = derived_spec(spec, flavour, args.root, jars, args.jvm_flags, init_script)
    folders = {name: write_spec(args.data_dir, name, spec) for name, spec in specs.items()}
    if args.register_user:
        from jupyter_client.kernelspec import KernelSpecManager
        ksm = KernelSpecManager()
        for name, folder in folders.items():
            where = ksm.install_kernel_spec(folder, kernel_name=name, user=True, replace=True)
            print(f"saelab: kernelspec '{name}' installed for you at {where}", file=sys.stderr)


if __name__ == "__main__":
    main()
