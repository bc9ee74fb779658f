package service

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	rtypes "github.com/aws/aws-sdk-go-v2/service/rekognition/types"

	"github.com/facerec/facerec-cdk/contract"
)

// attributesOf returns the landmarks, pose and quality of a Rekognition
// FaceDetail; those it lacks stay empty (nil d gives none).
func attributesOf(d *rtypes.FaceDetail) contract.FaceAttributes {
	var a contract.FaceAttributes
	if d == nil {
		return a
	}
	for _, l := range d.Landmarks {
		a.Landmarks = append(a.Landmarks, contract.Landmark{Type: string(l.Type), X: float64(aws.ToFloat32(l.X)), Y: float64(aws.ToFloat32(l.Y))})
	}
	if p := d.Pose; p != nil {
		a.Pose = &contract.Pose{Roll: float64(aws.ToFloat32(p.Roll)), Yaw: float64(aws.ToFloat32(p.Yaw)), Pitch: float64(aws.ToFloat32(p.Pitch))}
	}
	if q := d.Quality; q != nil {
		a.Quality = &contract.Quality{Brightness: float64(aws.ToFloat32(q.Brightness)), Sharpness: float64(aws.ToFloat32(q.Sharpness))}
	}
	return a
}
