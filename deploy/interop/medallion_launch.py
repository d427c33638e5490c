#!/usr/bin/python3
"""Start medallion (the OASIS TAXII 2.1 server) on its memory backend.

Usage: medallion_launch.py HOST PORT DATA_FILE USER PASSWORD

medallion is imported from PYTHONPATH (its source tree, as fetched). Its
own command line reads configuration through environ-config and
jsonmerge, which Debian does not package; this launcher gives medallion
the same configuration it would read (users, backend, taxii) directly,
through medallion's own set_config and connect_to_backend, and puts the
stand-in environ module of shim/ on the path for the decorators that its
backends apply on import.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "shim"))

from medallion import connect_to_backend, register_blueprints, set_config  # noqa: E402
from medallion.common import APPLICATION_INSTANCE, get_application_instance_config_values  # noqa: E402


def main():
    host, port, data, user, password = sys.argv[1:6]
    configuration = {
        "backend": {"module_class": "MemoryBackend", "filename": data},
        "users": {user: password},
        "taxii": {"max_page_size": 100},
    }
    set_config(APPLICATION_INSTANCE, "users", configuration)
    set_config(APPLICATION_INSTANCE, "taxii", configuration)
    set_config(APPLICATION_INSTANCE, "backend", configuration)
    APPLICATION_INSTANCE.medallion_backend = connect_to_backend(
        get_application_instance_config_values(APPLICATION_INSTANCE, "backend"))
    if not APPLICATION_INSTANCE.blueprints:
        register_blueprints(APPLICATION_INSTANCE)
    APPLICATION_INSTANCE.run(host=host, port=int(port), debug=False)


if __name__ == "__main__":
    main()
