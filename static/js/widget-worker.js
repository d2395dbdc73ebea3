// The widget's core runs here, off the page's main thread, so that
// starting Go and compiling its WebAssembly never hold up the page. The
// page sends the URLs of the WebAssembly, wasm_exec.js and the model,
// then one message per call: [id, kind, ...arguments], kind "e" to
// evaluate the form (see wasm/main.go) and "p" for winnowEvaluate. Each
// call is answered [id, result]; [0, version] says the core is ready,
// [-1] that it will not be.
onmessage = ({ data: [wasm, exec, model] }) => {
  importScripts(exec);
  const go = new Go();
  let calls;
  self.winnowBoot = (evaluate, version) => {
    calls = { e: evaluate, p: self.winnowEvaluate };
    postMessage([0, version]);
  };
  onmessage = ({ data: [id, kind, ...args] }) => {
    let r = "";
    try {
      r = calls[kind](...args);
    } catch (x) {}
    postMessage([id, r]);
  };
  const fail = () => postMessage([-1]);
  Promise.all([
    WebAssembly.instantiateStreaming(fetch(wasm), go.importObject),
    fetch(model).then((r) => (r.ok ? r.text() : Promise.reject(r.status))),
  ]).then(([w, m]) => {
    self.winnowModel = m;
    go.run(w.instance).then(fail, fail); // main returns only when the model cannot be read
  }, fail);
};
