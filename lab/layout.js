// Where the host build puts things; shared by webpack.config.js, build.mjs and (by convention) the Python
// server in seed_lab_host/, which serves these folders.
const path = require('node:path');

const BUILD_DIR = path.join(__dirname, 'build');

module.exports = {
  BUILD_DIR,
  /** Sources webpack.config.js writes before bundling (the plugin list, the CSS imports). */
  GENERATED_DIR: path.join(BUILD_DIR, 'generated'),
  /** The bundles and index.html, served as the app's static files and templates. */
  STATIC_DIR: path.join(BUILD_DIR, 'static'),
  /** Settings schemas of the core plugins (build/schemas/<package>/*.json). */
  SCHEMAS_DIR: path.join(BUILD_DIR, 'schemas'),
  /** Theme CSS (build/themes/<package>/index.css). */
  THEMES_DIR: path.join(BUILD_DIR, 'themes'),
  /** Written last by build.mjs: the hash of the inputs the build came from. */
  STAMP_FILE: path.join(BUILD_DIR, 'build-stamp.json')
};
