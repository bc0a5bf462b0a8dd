"""Entry point of both frozen executables (see pairsmith.spec): `pairsmith-desktop` starts the Qt
app, `pairsmith` the command line; the name the binary was started under decides."""

import multiprocessing
import os
import sys

from frozen_entry import prepare_environment, run_module_if_asked


def main() -> int:
    multiprocessing.freeze_support()
    prepare_environment()
    if run_module_if_asked():
        return 0
    name = os.path.basename(sys.argv[0]).lower()
    if name.startswith("pairsmith-desktop"):
        from desktop.app import main as app_main

        return app_main()
    from engine.cli.main import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
