"""Tests of environment/run_notebooks.py against the real `saelab` kernel (installed by setup.sh)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUNNER = os.path.join(ROOT, "environment", "run_notebooks.py")
KERNELSPEC = os.path.join(ROOT, "environment", ".local", "jupyter", "kernels", "saelab", "kernel.json")


def notebook(*sources):
    return {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                       "source": s, "id": f"c{i}"} for i, s in enumerate(sources)],
            "metadata": {"kernelspec": {"name": "saelab", "display_name": "Java (saelab)", "language": "java"}},
            "nbformat": 4, "nbformat_minor": 5}


class RunnerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(KERNELSPEC):
            raise AssertionError(f"{KERNELSPEC} is missing: run ./saelab setup before these tests")

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "out")

    def tearDown(self):
        self.tmp.cleanup()

    def run_runner(self, nb, name="probe.ipynb", *extra):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            json.dump(nb, f)
        env = dict(os.environ, SAELAB_FIGURES=os.path.join(self.tmp.name, "figures"))
        return subprocess.run([sys.executable, RUNNER, "--out", self.out, *extra, path],
                              capture_output=True, text=True, env=env, timeout=300)

    def test_compile_error_names_notebook_cell_source_and_java_error(self):
        r = self.run_runner(notebook('int ok = 1;', 'int broken = "text";'), "compile_error.ipynb")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("FAILED", r.stderr)
        self.assertIn("compile_error.ipynb", r.stderr)
        self.assertIn("cell 1", r.stderr)
        self.assertIn('int broken = "text";', r.stderr)
        self.assertIn("incompatible types", r.stderr)
        # the partly executed copy is kept, with the error output in it
        with open(os.path.join(self.out, "compile_error.ipynb")) as f:
            saved = json.load(f)
        self.assertEqual(saved["cells"][1]["outputs"][0]["output_type"], "error")

    def test_runtime_exception_is_reported_with_its_message(self):
        r = self.run_runner(notebook('throw new IllegalStateException("boom-42");'), "throws.ipynb")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("IllegalStateException", r.stderr)
        self.assertIn("boom-42", r.stderr)

    def test_parameters_reach_the_kernel_and_the_library_is_imported(self):
        r = self.run_runner(notebook(
            'System.out.println(System.getenv("SAELAB_PROFILE") + " " + System.getenv("SAELAB_QUICK"));',
            'System.out.println(Notebook.settings().quick() + " " + BuildInfo.current().version());'),
            "params.ipynb", "--profile", "paper", "--quick")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(os.path.join(self.out, "params.ipynb")) as f:
            saved = json.load(f)
        text = ["".join(o.get("text", "")) for c in saved["cells"] for o in c["outputs"]]
        self.assertEqual(text[0].strip(), "paper 1")
        self.assertTrue(text[1].startswith("true "), text)
        self.assertIn("1 of 1 run(s) succeeded", r.stdout)

    def test_two_jobs_run_every_notebook_and_report_each(self):
        paths = []
        for name, nb in [("good.ipynb", notebook('System.out.println("fine-7");')),
                         ("bad.ipynb", notebook('throw new IllegalStateException("boom-9");'))]:
            paths.append(os.path.join(self.tmp.name, name))
            with open(paths[-1], "w") as f:
                json.dump(nb, f)
        env = dict(os.environ, SAELAB_FIGURES=os.path.join(self.tmp.name, "figures"))
        r = subprocess.run([sys.executable, RUNNER, "--out", self.out, "--jobs", "2", *paths],
                           capture_output=True, text=True, env=env, timeout=300)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("ok      good.ipynb", r.stdout)
        self.assertIn("boom-9", r.stderr)
        self.assertIn("1 of 2 run(s) succeeded", r.stdout)
        with open(os.path.join(self.out, "good.ipynb")) as f:
            self.assertIn("fine-7", "".join(json.load(f)["cells"][0]["outputs"][0]["text"]))
        self.assertTrue(os.path.isfile(os.path.join(self.out, "bad.ipynb")))

    def test_skip_unchanged_skips_only_while_notebook_and_run_are_the_same(self):
        work = os.path.join(self.tmp.name, "work")
        os.makedirs(work)
        index = os.path.join(work, "demo.json")

        def write_index(key):
            with open(index, "w") as f:
                json.dump({"format": "saelab-demo/1", "steps": {"world": {"key": key, "dir": "world/x"}}}, f)

        def run(nb):
            path = os.path.join(self.tmp.name, "probe.ipynb")
            with open(path, "w") as f:
                json.dump(nb, f)
            env = dict(os.environ, SAELAB_FIGURES=os.path.join(self.tmp.name, "figures"), SAELAB_DEMO_WORK=work)
            return subprocess.run([sys.executable, RUNNER, "--out", self.out, "--skip-unchanged", path],
                                  capture_output=True, text=True, env=env, timeout=300)

        write_index("a" * 64)
        first = run(notebook('System.out.println("one");'))
        self.assertEqual(first.returncode, 0, first.stdout + first.stderr)
        self.assertIn("ok      probe.ipynb", first.stdout)
        again = run(notebook('System.out.println("one");'))
        self.assertIn("skip    probe.ipynb", again.stdout)
        write_index("b" * 64)  # a step of the run changed
        self.assertIn("ok      probe.ipynb", run(notebook('System.out.println("one");')).stdout)
        edited = run(notebook('System.out.println("two");'))  # the notebook changed
        self.assertIn("ok      probe.ipynb", edited.stdout)
        os.remove(os.path.join(self.out, "probe.ipynb"))  # its executed copy is gone
        self.assertIn("ok      probe.ipynb", run(notebook('System.out.println("two");')).stdout)
        failed = run(notebook('throw new IllegalStateException("x");'))
        self.assertEqual(failed.returncode, 1)
        self.assertFalse(os.path.exists(os.path.join(self.out, "probe.stamp")), "a failed run leaves no stamp")

    def test_the_stamped_run_is_the_profiles_work_folder_unless_one_is_named(self):
        # the run whose step keys a stamp covers is the one the notebooks read (saelab.notebook.Demo.open)
        sys.path.insert(0, os.path.dirname(RUNNER))
        try:
            import run_notebooks
        finally:
            sys.path.pop(0)
        saved = os.environ.pop("SAELAB_DEMO_WORK", None)
        try:
            self.assertEqual(run_notebooks.run_index("paper", "/r"), os.path.join("/r", "work", "paper", "demo.json"))
            self.assertEqual(run_notebooks.run_index("demo", "/r"), os.path.join("/r", "work", "demo", "demo.json"))
            os.environ["SAELAB_DEMO_WORK"] = "runs/x"
            self.assertEqual(run_notebooks.run_index("paper", "/r"), os.path.join("/r", "runs", "x", "demo.json"))
        finally:
            os.environ.pop("SAELAB_DEMO_WORK", None)
            if saved is not None:
                os.environ["SAELAB_DEMO_WORK"] = saved

    def test_unknown_notebook_is_a_usage_error(self):
        r = subprocess.run([sys.executable, RUNNER, "no-such-notebook"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("no-such-notebook", r.stderr)


if __name__ == "__main__":
    unittest.main()
