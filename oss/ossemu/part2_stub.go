package ossemu

func (s *Server) uploadPart(c *call) *ossError      { return apiErr("OperationNotSupported", "") }
func (s *Server) copyObject(c *call) *ossError      { return apiErr("OperationNotSupported", "") }
func (s *Server) listParts(c *call) *ossError       { return apiErr("OperationNotSupported", "") }
func (s *Server) abortUpload(c *call) *ossError     { return apiErr("OperationNotSupported", "") }
func (s *Server) initiateUpload(c *call) *ossError  { return apiErr("OperationNotSupported", "") }
func (s *Server) completeUpload(c *call) *ossError  { return apiErr("OperationNotSupported", "") }
func (s *Server) listUploads(c *call) *ossError     { return apiErr("OperationNotSupported", "") }
func (s *Server) deleteMultiple(c *call) *ossError  { return apiErr("OperationNotSupported", "") }
func (s *Server) getBucketPolicy(c *call) *ossError { return apiErr("OperationNotSupported", "") }
func (s *Server) putBucketPolicy(c *call) *ossError { return apiErr("OperationNotSupported", "") }
func (s *Server) deleteBucketPolicy(c *call) *ossError {
	return apiErr("OperationNotSupported", "")
}
