"""Package list for setuptools (the rest is in pyproject.toml).

The library packages are found by name; the shipped data the library reads at run time
(data/) travels inside the wheel as ``config/data``, where ``config.paths`` looks first.
"""

from setuptools import find_packages, setup

LIBRARY = ["config", "geo", "reports", "demo", "maps", "lagebild"]

setup(
    packages=[*find_packages(include=[f"{name}*" for name in LIBRARY]), "config.data"],
    package_dir={"config.data": "data"},
)
