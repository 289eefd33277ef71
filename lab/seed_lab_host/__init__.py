"""The Jupyter server side of the JupyterLab host that jupyterlab-seed develops, demos and tests in.

jupyter_server finds an extension's application through the package's `_jupyter_server_extension_points`,
so the package names the module that holds the application class (defining the class in a launcher script
instead makes jupyter_server fail with `KeyError: 'jupyterlab_server'`).
"""


def _jupyter_server_extension_points():
    from .app import SeedLabApp

    return [{"module": "seed_lab_host.app", "app": SeedLabApp}]
