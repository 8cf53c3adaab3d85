"""Format-neutral AWS facts that the exporters, the importers and the deployer all use.

- `wiring`: how services connect (event source mappings, subscriptions, notifications,
  integrations), in AWS API terms rather than one format's syntax;
- `iam`: the least-privilege actions each edge needs;
- `naming`: names and logical ids within AWS's length and character limits;
- `asl`: Step Functions definitions built from task edges;
- `checkov_skips`: checkov findings that do not apply to what Stratus generates, with why.
"""
