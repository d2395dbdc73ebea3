// The widget's core is compiled and warmed up here, off the page's main
// thread: the page sends the URLs of the WebAssembly, wasm_exec.js and the
// model; this compiles the WebAssembly as it downloads, runs it once, so
// that every function the form needs is compiled (the browser compiles
// each on its first call), and sends back the compiled module, which
// shares that code, with the model's text; then it ends. [-1]: no widget.
onmessage = ({ data: [wasm, exec, model] }) => {
  // The downloads start before importScripts, which waits for its own.
  const code = WebAssembly.compileStreaming(fetch(wasm));
  const text = fetch(model).then((r) => (r.ok ? r.text() : Promise.reject(r.status)));
  importScripts(exec);
  const fail = () => (postMessage([-1]), close());
  Promise.all([code, text]).then(([mod, m]) => {
    const go = new Go();
    self.winnowModel = m;
    self.winnowBoot = () => (postMessage([mod, m]), close()); // the core warmed itself up
    WebAssembly.instantiate(mod, go.importObject).then((i) => go.run(i).then(fail, fail), fail);
  }, fail);
};
