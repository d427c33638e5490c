"""A stand-in for environ-config, which Debian does not package.

medallion's backends declare their settings from the environment with
environ-config's decorators when the package is imported. The interop
run configures medallion from a file (medallion_launch.py) and never
reads the environment, so these decorators only need to exist: each
leaves its class as it is.
"""


def config(maybe_cls=None, prefix=None, **kwargs):
    def wrap(cls):
        return cls
    return wrap if maybe_cls is None else wrap(maybe_cls)


def var(default=None, converter=None, **kwargs):
    return default


def group(cls, optional=False, **kwargs):
    return None
