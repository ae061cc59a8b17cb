"""twtest: runs a Python test file's unittest cases with an exit status CTest reads honestly.

0 every test ran and passed; 1 a test failed or errored, or none ran (a group
name that matches nothing proves nothing); 77 nothing failed but a test was
skipped, which CTest shows as "Skipped" through SKIP_RETURN_CODE 77 (set by
tw_python_test in tests/CMakeLists.txt). A missing prerequisite is never a pass.

    if __name__ == "__main__":
        twtest.main(require=[TONEWIRED])
"""
import os
import sys
import unittest

SKIP = 77   # CTest's SKIP_RETURN_CODE for every Python test


def exit_code(result):
    """The exit status of a finished unittest result."""
    if result.failures or result.errors or result.unexpectedSuccesses or result.testsRun == 0:
        return 1
    if result.skipped:
        return SKIP
    return 0


def main(argv=None, require=(), module="__main__"):
    """Run the cases of `module` named in argv (all when none) and exit with exit_code().
    Every path in `require` must be an executable the build made: one that is missing is a
    failure (the build registered this test because it builds that program)."""
    for path in require:
        if not os.access(path, os.X_OK):
            print(f"FAIL: {path} is not built (the test is registered only when it is)", file=sys.stderr)
            sys.exit(1)
    argv = list(sys.argv if argv is None else argv)
    prog = unittest.main(module=module, argv=argv, exit=False, verbosity=2)
    result = prog.result
    code = exit_code(result)
    if code == SKIP:
        for case, why in result.skipped:
            print(f"SKIPPED {case.id()}: {why}", file=sys.stderr)
    elif code == 1 and result.testsRun == 0:
        print("FAIL: no test ran", file=sys.stderr)
    sys.exit(code)
