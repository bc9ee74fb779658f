package facerecognition

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"

	"github.com/facerec/facerec-cdk/contract"
)

// addTable sets Table: the props' ExistingTable (whose key schema
// resolveExisting checked), or a new table (tableProps) with the global
// secondary indexes contract.ObjectKeyIndex and contract.PersonIndex,
// encrypted with EncryptionKey if there is one.
func (s *FaceRecognitionService) addTable(cfg *settings) {
	if cfg.existingTable != nil {
		s.Table = cfg.existingTable
		return
	}
	table := awsdynamodb.NewTable(s.Construct, jsii.String("Table"), encryptTable(tableProps(cfg.removalPolicy), cfg.encryptionKey))
	table.AddGlobalSecondaryIndex(objectKeyIndexProps())
	table.AddGlobalSecondaryIndex(personIndexProps())
	s.Table = table
}

// tableProps returns the face table's settings: the FaceId partition key,
// on-demand capacity, point-in-time recovery, AWS managed encryption, and
// DynamoDB's time to live on contract.AttrExpiresAt.
func tableProps(removal awscdk.RemovalPolicy) *awsdynamodb.TableProps {
	return &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(contract.AttrFaceID), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:    awsdynamodb.TableEncryption_AWS_MANAGED,
		RemovalPolicy: removal,
		// Tombstones and sweep marks carry their expiry
		// (contract.AttrExpiresAt, TombstoneTTLDays for tombstones).
		TimeToLiveAttribute: jsii.String(contract.AttrExpiresAt),
	}
}

// objectKeyIndexProps returns the index that finds an image's items by
// object key, projecting whole items.
func objectKeyIndexProps() *awsdynamodb.GlobalSecondaryIndexProps {
	return &awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(contract.ObjectKeyIndex),
		PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String(contract.AttrObjectKey), Type: awsdynamodb.AttributeType_STRING},
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	}
}

// personIndexProps returns the index that lists a person's items, for
// GET /faces?person=NAME.
func personIndexProps() *awsdynamodb.GlobalSecondaryIndexProps {
	return &awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(contract.PersonIndex),
		PartitionKey:   &awsdynamodb.Attribute{Name: jsii.String(contract.AttrPerson), Type: awsdynamodb.AttributeType_STRING},
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	}
}
