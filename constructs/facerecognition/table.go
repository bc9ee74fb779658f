package facerecognition

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/jsii-runtime-go"
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
