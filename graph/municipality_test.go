package graph

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidateWarStatus(t *testing.T) {
	m := Municipality{ID: "ua-1", Name: "Маріуполь", Country: "UA", Kind: KindCity}
	for _, tc := range []struct {
		war   *WarStatus
		field string
	}{
		{nil, ""},
		{&WarStatus{OccupiedBefore2022: true}, ""},
		{&WarStatus{WarZone: WarZoneDates}, ""},
		{&WarStatus{WarZone: []string{"27.04.2022"}}, "war.war_zone"},
		{&WarStatus{WarZone: []string{"2022-10-10", "2022-04-27"}}, "war.war_zone"},
		{&WarStatus{WarZone: []string{"2022-04-27", "2022-04-27"}}, "war.war_zone"},
	} {
		m.War = tc.war
		assert.Equal(t, tc.field, ErrorField(m.Validate()), "%+v", tc.war)
	}
	assert.True(t, (&WarStatus{WarZone: WarZoneDates}).InWarZoneLast())
	assert.False(t, (&WarStatus{WarZone: WarZoneDates[:3]}).InWarZoneLast())
	assert.False(t, (*WarStatus)(nil).InWarZoneLast())
	assert.True(t, (*WarStatus)(nil).Empty())
}
