package facerecognition

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrekognition"
	"github.com/aws/jsii-runtime-go"
)

// addCollection sets CollectionId and, unless the props name an
// ExistingCollectionId, creates the Rekognition collection (CollectionId,
// or "facerec-" and the construct's node address) with the props' removal
// policy. It returns the collection's ARN, which the functions are granted
// their Rekognition actions on.
func (s *FaceRecognitionService) addCollection(cfg *settings) *string {
	if cfg.existingCollectionId != "" {
		s.CollectionId = jsii.String(cfg.existingCollectionId)
		return s.collectionArn(cfg.existingCollectionId)
	}
	if cfg.collectionId == "" {
		cfg.collectionId = "facerec-" + *s.Node().Addr()
	}
	s.CollectionId = jsii.String(cfg.collectionId)
	s.Collection = awsrekognition.NewCfnCollection(s.Construct, jsii.String("Collection"), &awsrekognition.CfnCollectionProps{
		CollectionId: s.CollectionId,
	})
	s.Collection.ApplyRemovalPolicy(cfg.removalPolicy, nil)
	return s.Collection.AttrArn()
}

// collectionArn returns the ARN of the collection id in the construct's
// account and region:
// arn:<partition>:rekognition:<region>:<account>:collection/<id>.
func (s *FaceRecognitionService) collectionArn(id string) *string {
	return awscdk.Stack_Of(s.Construct).FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("rekognition"),
		Resource:     jsii.String("collection"),
		ResourceName: jsii.String(id),
		ArnFormat:    awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
}
