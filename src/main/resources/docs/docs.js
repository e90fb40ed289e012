// Starts Swagger UI on the service's own contract. A file, not an inline script: the page's
// Content-Security-Policy allows only the service's own files.
window.ui = SwaggerUIBundle({
  url: '/openapi.yaml',
  dom_id: '#swagger-ui',
  deepLinking: true,
  // the contract is checked by the service's tests; nothing is sent to an online validator
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
