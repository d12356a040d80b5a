package main

import (
	"fmt"
	"strings"

	"github.com/xeipuuv/gojsonschema"
)

// validateSchemas checks each enabled chart's coalesced values against its values.schema.json
// and reports every failure of every chart at once, worded as Helm words it.
func validateSchemas(c *chart, values map[string]interface{}) error {
	var report strings.Builder
	collectSchemaErrors(c, values, &report)
	if report.Len() > 0 {
		return fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s", report.String())
	}
	return nil
}

func collectSchemaErrors(c *chart, values map[string]interface{}, report *strings.Builder) {
	if c.schema != nil {
		result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(c.schema), gojsonschema.NewGoLoader(values))
		if err != nil {
			fmt.Fprintf(report, "%s:\n- the schema cannot be used: %v\n", c.name, err)
		} else if !result.Valid() {
			fmt.Fprintf(report, "%s:\n", c.name)
			for _, e := range result.Errors() {
				fmt.Fprintf(report, "- %s\n", e)
			}
		}
	}
	for _, d := range c.deps {
		if !d.enabled {
			continue
		}
		sub, _ := values[d.chart.name].(map[string]interface{})
		if sub == nil {
			sub = map[string]interface{}{}
		}
		collectSchemaErrors(d.chart, sub, report)
	}
}
