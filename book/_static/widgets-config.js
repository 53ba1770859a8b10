// Loaded between RequireJS and the Jupyter widgets manager (vendor/html-manager/embed-amd.js).

// 1. The manager loads its icon fonts from the folder RequireJS says it lives in: point that
//    module name at the copy this site serves.
require.config({
  paths: {"@jupyter-widgets/html-manager/dist": new URL("vendor/html-manager", document.currentScript.src).href},
});

// 2. The manager typesets widget labels with MathJax 2's call, MathJax.Hub.Queue(["Typeset", ...]);
//    this site serves MathJax 3. Give every MathJax object (the configuration set before MathJax
//    loads, then MathJax 3 itself, which replaces it) a Hub that forwards to typesetPromise.
(function () {
  const hub = {
    Queue(...jobs) {
      const mathjax = window.MathJax;
      if (!mathjax || !mathjax.startup || !mathjax.startup.promise) return;  // MathJax's first pass will see it
      for (const job of jobs) {
        if (Array.isArray(job) && job[0] === "Typeset" && job[2]) {
          mathjax.startup.promise = mathjax.startup.promise.then(() => mathjax.typesetPromise([job[2]]));
        }
      }
    },
  };
  let current = window.MathJax;
  const withHub = (value) => {
    if (value && typeof value === "object" && !("Hub" in value)) {
      Object.defineProperty(value, "Hub", {value: hub, enumerable: false});
    }
    return value;
  };
  withHub(current);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    get: () => current,
    set: (value) => { current = withHub(value); },
  });
})();
