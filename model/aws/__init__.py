"""Format-neutral AWS facts that the exporters, the importers and the deployer all use.

Each service's own facts (resource types, principal, handle, name limits...) are in its
catalogue record (model.catalogue, ServiceSpec.aws); these modules say how services are
connected and what every output writes the same way:

- `wiring`: how services connect (event source mappings, subscriptions, notifications,
  integrations) and the settings that follow from it, in AWS API terms rather than one
  format's syntax;
- `iam`: the least-privilege actions each edge needs;
- `integration_grants`: what a role needs for wiring an import kept as written (a task or
  an API integration with a service outside the design), where the source grants none;
- `authorisers`: how an OpenAPI operation an import kept is authorised;
- `openapi_keys`: what such an operation's integration and authoriser keys are called as
  CloudFormation properties and Terraform arguments;
- `routes`: an API node's routes;
- `naming`: names and logical ids within AWS's length and character limits;
- `defaults`: what every output sets where the design has no field (log retention,
  placeholder handlers, the provisioned-concurrency alias, the access log line);
- `asl`: Step Functions definitions built from task edges;
- `checkov_skips`: checkov findings that do not apply to what Stratus generates, with why.
"""
