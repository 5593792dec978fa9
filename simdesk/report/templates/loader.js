(function () {
  var config = {{ config|tojson }};
  var nodes = document.querySelectorAll('script[type="application/json"][data-figure]');
  var drawn = [];
  nodes.forEach(function (node) {
    var id = node.getAttribute('data-figure');
    var spec = JSON.parse(node.textContent);
    var options = Object.assign({}, config,
      {toImageButtonOptions: Object.assign({}, config.toImageButtonOptions, {filename: id})});
    drawn.push(Plotly.newPlot(id, spec.data, spec.layout, options).then(function () {
      document.getElementById(id).setAttribute('data-rendered', 'true');
    }));
  });
  Promise.all(drawn).then(function () {
    document.body.setAttribute('data-rendered', 'true');
  }, function (error) {
    document.body.setAttribute('data-render-error', String(error));
  });
})();
