// Where require.js finds what the widget manager (embed-amd.js, in html-manager/) does not bundle, next to
// this file whatever folder the page is in: ipycanvas's module, and the manager's own fonts (webpack looks
// for them beside the "uri" require.js gives the manager's modules, so those names map to html-manager/).
(function () {
  var here = document.currentScript.src.replace(/[^/]*$/, "");
  window.require.config({
    paths: {
      ipycanvas: here + "ipycanvas",
      "@jupyter-widgets/html-manager/dist": here + "html-manager",
      "@jupyter-widgets": here + "html-manager",
    },
  });
})();
