"""The JupyterLab application of the host: Debian's jupyterlab_server serving the frontend built in lab/build/."""

import os

import jupyter_server
from jupyterlab_server import LabServerApp
from traitlets import Bool, Unicode, default

from .identity import IdentityHandler

LAB_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD_DIR = os.path.join(LAB_DIR, "build")
STATIC_DIR = os.path.join(BUILD_DIR, "static")

# The host's own plugin replaces JupyterLab's event manager only where the server has no event bus.
JUPYTERLAB_EVENT_MANAGER = "@jupyterlab/services-extension:event-manager"
HOST_EVENT_MANAGER = "seed-lab-host:event-manager"
SERVER_HAS_EVENTS_AND_IDENTITY = int(jupyter_server.__version__.split(".")[0]) >= 2


class SeedLabApp(LabServerApp):
    """JupyterLab 4 on jupyter_server + jupyterlab_server, without the `jupyterlab` Python package."""

    name = "lab"
    app_name = "JupyterLab"
    app_version = "4.6.3"
    description = "The standard JupyterLab frontend (built from npm) with the jupyterlab-seed extension"
    # The host must behave the same wherever it runs, whatever other server extensions are installed.
    load_other_extensions = False

    app_settings_dir = os.path.join(LAB_DIR, "settings")
    static_dir = STATIC_DIR
    templates_dir = STATIC_DIR
    schemas_dir = os.path.join(BUILD_DIR, "schemas")
    themes_dir = os.path.join(BUILD_DIR, "themes")

    state_dir = Unicode(
        help="Folder for the user's settings and workspaces of this host (kept apart from any other JupyterLab)."
    ).tag(config=True)

    # LabServerApp does not let configuration change its landing page; `jupyterlab-seed lab PATH` does.
    default_url = Unicode("/lab", help="The page `/` redirects to (and the browser opens).").tag(config=True)

    expose_app_in_browser = Bool(
        False, help="Make the application reachable as window.jupyterapp (for tests and debugging)."
    ).tag(config=True)

    @default("state_dir")
    def _default_state_dir(self):
        return os.path.join(os.path.dirname(LAB_DIR), ".cache", "jupyter", "lab")

    @default("user_settings_dir")
    def _default_user_settings_dir(self):
        return os.path.join(self.state_dir, "user-settings")

    @default("workspaces_dir")
    def _default_workspaces_dir(self):
        return os.path.join(self.state_dir, "workspaces")

    def initialize_settings(self):
        if not os.path.exists(os.path.join(STATIC_DIR, "index.html")):
            raise RuntimeError(
                f"The JupyterLab host is not built ({STATIC_DIR} has no index.html). "
                "Run 'node lab/build.mjs' in the jupyterlab-seed checkout."
            )
        super().initialize_settings()

    def initialize_handlers(self):
        self.serverapp.web_app.settings["page_config_hook"] = self._adjust_page_config
        if not SERVER_HAS_EVENTS_AND_IDENTITY:
            self.handlers.append((r"/api/me", IdentityHandler))
        super().initialize_handlers()

    def _adjust_page_config(self, handler, page_config):
        disabled = list(page_config.get("disabledExtensions", []))
        disabled.append(HOST_EVENT_MANAGER if SERVER_HAS_EVENTS_AND_IDENTITY else JUPYTERLAB_EVENT_MANAGER)
        page_config["disabledExtensions"] = disabled
        page_config["exposeAppInBrowser"] = self.expose_app_in_browser
        return page_config


main = SeedLabApp.launch_instance
