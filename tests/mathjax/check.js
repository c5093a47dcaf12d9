// Typesets every math block given on stdin (JSON: [[label, tex, display], ...]) with MathJax 3's TeX
// input (the packages GitHub and Jupyter load) and prints one JSON line: the errors, by label.
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
const {AllPackages} = require('mathjax-full/js/input/tex/AllPackages.js');

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
let current = null;
const errors = [];
const tex = new TeX({
  packages: AllPackages.filter((p) => !['bussproofs', 'noerrors', 'noundefined'].includes(p)),
  formatError(jax, err) {
    errors.push([current, err.message]);
    return jax.formatError(err);
  },
});
const doc = mathjax.document('', {InputJax: tex, OutputJax: new SVG({fontCache: 'none'})});

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const items = JSON.parse(input);
  for (const [label, math, display] of items) {
    current = label;
    try {
      doc.convert(math, {display});
    } catch (err) {
      errors.push([label, String(err.message || err)]);
    }
  }
  process.stdout.write(JSON.stringify({checked: items.length, errors}) + '\n');
});
