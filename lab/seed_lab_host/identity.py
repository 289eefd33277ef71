"""`/api/me` for jupyter_server 1.x, which predates the identity API that JupyterLab 4's user service polls.

Without it the user service never becomes ready and JupyterLab logs a 404 every few seconds. This is a
single-user server, so the user is whoever runs it and every permission asked about is granted.
"""

import getpass
import json

from jupyter_server.base.handlers import APIHandler
from tornado import web


def _identity(username):
    initials = "".join(part[0] for part in username.replace(".", " ").replace("_", " ").split())[:2].upper()
    return {
        "username": username,
        "name": username,
        "display_name": username,
        "initials": initials or "?",
        "avatar_url": None,
        "color": None,
    }


class IdentityHandler(APIHandler):
    @web.authenticated
    def get(self):
        requested = json.loads(self.get_query_argument("permissions", "{}") or "{}")
        if not isinstance(requested, dict):
            raise web.HTTPError(400, "permissions must be a JSON object of resource -> list of actions")
        permissions = {resource: list(actions) for resource, actions in requested.items()}
        self.finish(json.dumps({"identity": _identity(getpass.getuser()), "permissions": permissions}))
