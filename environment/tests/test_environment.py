"""Tests of environment/common.sh: what a user sees when the JDK or Maven Central is missing."""
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COMMON = os.path.join(ROOT, "environment", "common.sh")


def bash(script, **env):
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, **env))


class EnvironmentTest(unittest.TestCase):

    def test_no_jdk_25_gives_a_sentence_on_how_to_get_one(self):
        r = bash(f'source "{COMMON}"; find_jdk; echo "found $JAVA_HOME"',
                 SAELAB_JDK_DIRS="/nonexistent/*", JAVA_HOME="/nonexistent-jdk")
        if r.returncode == 0:
            # a JDK 25 is on PATH itself: then it must really be one
            self.assertIn("found", r.stdout)
            return
        self.assertEqual(r.returncode, 2)
        self.assertIn("no JDK 25 or newer found", r.stderr)
        self.assertIn("JAVA_HOME", r.stderr)
        self.assertNotIn("Exception", r.stderr)

    def test_finds_a_jdk_25_and_rejects_older_ones(self):
        r = bash(f'source "{COMMON}"; find_jdk; "$JAVA" -version 2>&1 | head -1')
        self.assertEqual(r.returncode, 0, r.stderr)
        version = r.stdout.split('"')[1]
        self.assertGreaterEqual(int(version.split(".")[0]), 25)

    def test_unreachable_maven_central_gives_a_sentence_not_a_stack_trace(self):
        with tempfile.TemporaryDirectory() as tmp:
            for part in ("pom.xml", os.path.join("lib", "pom.xml")):
                os.makedirs(os.path.dirname(os.path.join(tmp, part)), exist_ok=True)
                shutil.copy(os.path.join(ROOT, part), os.path.join(tmp, part))
            shutil.copytree(os.path.join(ROOT, "lib", "src", "main"), os.path.join(tmp, "lib", "src", "main"))
            settings = os.path.join(tmp, "settings.xml")
            with open(settings, "w") as f:
                f.write("<settings><mirrors><mirror><id>nowhere</id><mirrorOf>*</mirrorOf>"
                        "<url>http://127.0.0.1:9/maven2</url></mirror></mirrors>"
                        f"<localRepository>{tmp}/m2</localRepository></settings>")
            r = bash(f'source "{COMMON}"; find_jdk; build_library',
                     SAELAB_ROOT=tmp, SAELAB_MVN_ARGS=f"-s {settings}")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("could not download its dependencies from Maven Central", r.stderr)


if __name__ == "__main__":
    unittest.main()
