"""Tests of environment/kernelspecs.py: the saelab kernelspec and the IJava/JJava variants."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import kernelspecs  # noqa: E402


class Args:
    def __init__(self, root):
        self.root = root
        self.java = "/jdk/bin/java"
        self.kernel_jar = "/k/rapaio-jupyter-kernel-3.0.1.jar"
        self.patch = "/k/patch"


class KernelspecTest(unittest.TestCase):

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dist = os.path.join(self.tmp.name, "dist")
        os.makedirs(os.path.join(self.dist, "deps"))
        for name in ("saelab.jar", "deps/b.jar", "deps/a.jar", "deps/notes.txt"):
            open(os.path.join(self.dist, name), "w").close()

    def tearDown(self):
        self.tmp.cleanup()

    def test_library_jars_puts_the_library_first_and_only_lists_jars(self):
        jars = kernelspecs.library_jars(self.dist)
        self.assertEqual([os.path.basename(j) for j in jars], ["saelab.jar", "a.jar", "b.jar"])

    def test_library_jars_stops_with_a_sentence_when_the_library_is_not_built(self):
        os.remove(os.path.join(self.dist, "saelab.jar"))
        with self.assertRaises(SystemExit) as cm:
            kernelspecs.library_jars(self.dist)
        self.assertIn("saelab.jar is missing", str(cm.exception))

    def test_rapaio_spec_puts_the_fix_before_the_kernel_jar_and_the_library_on_the_notebook_classpath(self):
        jars = kernelspecs.library_jars(self.dist)
        spec = kernelspecs.rapaio_spec(Args(self.tmp.name), jars, ["--enable-native-access=ALL-UNNAMED"])
        argv = spec["argv"]
        self.assertEqual(argv[0], "/jdk/bin/java")
        self.assertIn("--enable-native-access=ALL-UNNAMED", argv)
        cp = argv[argv.index("-cp") + 1].split(os.pathsep)
        self.assertEqual(cp, ["/k/patch", "/k/rapaio-jupyter-kernel-3.0.1.jar"])
        self.assertEqual(argv[-1], "{connection_file}")
        self.assertEqual(spec["env"]["RJK_CLASSPATH"].split(";"), jars)
        self.assertTrue(spec["env"]["RJK_INIT_SCRIPT"].endswith(os.path.join("environment", "kernel", "init.jshell")))
        self.assertEqual(spec["env"]["SAELAB_HOME"], self.tmp.name)

    def test_flavour_is_recognised_from_the_kernel_command(self):
        self.assertEqual(kernelspecs.java_flavour({"argv": ["java", "-jar", "/x/IJava.jar", "{connection_file}"]}), "ijava")
        self.assertEqual(kernelspecs.java_flavour({"argv": ["java", "-jar", "/x/jjava-1.0.jar"]}), "jjava")
        self.assertIsNone(kernelspecs.java_flavour({"argv": ["python", "-m", "ipykernel_launcher"]}))

    def test_derived_spec_adds_classpath_imports_and_jvm_flags_without_touching_the_original(self):
        user = {"argv": ["java", "-jar", "/x/ijava-1.3.0.jar", "{connection_file}"],
                "display_name": "Java", "language": "java", "env": {"IJAVA_CLASSPATH": "/mine.jar"}}
        jars = ["/d/saelab.jar", "/d/deps/a.jar"]
        spec = kernelspecs.derived_spec(user, "ijava", "/repo", jars, ["-Dai.djl.offline=true"], "import saelab.*;")
        self.assertEqual(spec["argv"][:2], ["java", "-Dai.djl.offline=true"])
        self.assertEqual(spec["env"]["IJAVA_CLASSPATH"].split(os.pathsep), jars + ["/mine.jar"])
        self.assertEqual(spec["env"]["IJAVA_STARTUP_SCRIPT"], "import saelab.*;")
        self.assertEqual(spec["env"]["SAELAB_HOME"], "/repo")
        self.assertEqual(user["argv"][1], "-jar")  # the user's own spec is left as it was
        self.assertEqual(user["env"], {"IJAVA_CLASSPATH": "/mine.jar"})

    def test_jjava_uses_its_own_variable_names(self):
        user = {"argv": ["/usr/bin/java", "-jar", "/x/jjava.jar", "{connection_file}"], "language": "java"}
        spec = kernelspecs.derived_spec(user, "jjava", "/repo", ["/d/saelab.jar"], [], "import saelab.*;")
        self.assertIn("JJAVA_CLASSPATH", spec["env"])
        self.assertIn("JJAVA_STARTUP_SCRIPT", spec["env"])
        self.assertIn("JJava", spec["display_name"])

    def test_write_spec_writes_valid_json_atomically(self):
        folder = kernelspecs.write_spec(self.tmp.name, "saelab", {"argv": ["java"], "language": "java"})
        with open(os.path.join(folder, "kernel.json")) as f:
            self.assertEqual(json.load(f)["language"], "java")
        self.assertEqual(os.listdir(folder), ["kernel.json"])


if __name__ == "__main__":
    unittest.main()
