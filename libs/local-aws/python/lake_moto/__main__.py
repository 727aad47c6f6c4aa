"""Runs moto server after registering the lake's patches: python -m lake_moto [moto_server options]."""

import sys


def main() -> None:
    try:
        from moto import server
    except ImportError as e:
        sys.exit(
            f"lake_moto: cannot import moto ({e}); install it into {sys.executable} with"
            " pip install 'moto[server]==5.2.1', or set LAKE_MOTO_PYTHON to a python that has it"
        )
    from lake_moto.patches import apply_all

    apply_all()
    server.main(sys.argv[1:])


if __name__ == "__main__":
    main()
