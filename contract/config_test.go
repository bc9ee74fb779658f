package contract

import (
	"strings"
	"testing"
)

func TestFromEnv(t *testing.T) {
	base := map[string]string{EnvCollectionID: "c", EnvTableName: "t"}
	env := func(extra map[string]string) func(string) string {
		return func(k string) string {
			if v, ok := extra[k]; ok {
				return v
			}
			return base[k]
		}
	}
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.FaceMatchThreshold != 80 || c.MaxFaces != 10 || c.QualityFilter != "AUTO" || c.SearchMaxImageBytes != 5242880 || c.AllowedOrigin != "*" {
		t.Errorf("defaults = %+v", c)
	}
	c, err = FromEnv(env(map[string]string{EnvFaceMatchThreshold: "92.5", EnvMaxFaces: "100", EnvQualityFilter: "HIGH", EnvSearchMaxImageBytes: "1000", EnvAllowedOrigin: "https://a.example"}))
	if err != nil || c.FaceMatchThreshold != 92.5 || c.MaxFaces != 100 || c.QualityFilter != "HIGH" || c.SearchMaxImageBytes != 1000 || c.AllowedOrigin != "https://a.example" {
		t.Errorf("set values = %+v, %v", c, err)
	}
	if c, err := FromEnv(env(map[string]string{EnvLambdaMemorySize: "256"})); err != nil || c.MaxDecodedPixels != 256<<20/2/DecodedPixelBytes {
		t.Errorf("MaxDecodedPixels with 256 MB = %d, %v", c.MaxDecodedPixels, err)
	}
	bad := map[string]map[string]string{
		EnvLambdaMemorySize:    {EnvLambdaMemorySize: "0"},
		EnvCollectionID:        {EnvCollectionID: ""},
		EnvTableName:           {EnvTableName: ""},
		EnvFaceMatchThreshold:  {EnvFaceMatchThreshold: "101"},
		EnvMaxFaces:            {EnvMaxFaces: "0"},
		EnvQualityFilter:       {EnvQualityFilter: "BEST"},
		EnvSearchMaxImageBytes: {EnvSearchMaxImageBytes: "5242881"},
	}
	for name, extra := range bad {
		if _, err := FromEnv(env(extra)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming it", name, err)
		}
	}
}
